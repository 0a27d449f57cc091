namespace QTickets.Core.Support;

/// <summary>
/// Cells a spreadsheet would run as a formula: Excel, LibreOffice and Google Sheets read a cell opening with
/// =, +, - or @ (also after a tab or a carriage return) as one, so a buyer named "=HYPERLINK(...)" would run in
/// support's Excel. Such text gets a leading apostrophe: the cell stays text, shown with the apostrophe in front.
/// </summary>
public static class SpreadsheetText
{
    public static string Neutralise(string? text)
    {
        if (string.IsNullOrEmpty(text)) return text ?? "";
        return text[0] is '=' or '+' or '-' or '@' or '\t' or '\r' ? "'" + text : text;
    }
}
