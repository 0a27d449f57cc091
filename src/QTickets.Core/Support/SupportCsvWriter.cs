using System.Globalization;
using System.Text;

namespace QTickets.Core.Support;

/// <summary>
/// Writes support rows as a CSV that Excel opens as it should: UTF-8 with a byte-order mark (Cyrillic intact), the
/// culture's list separator and number format (";" and "1234,5" on a Russian system), every text cell that would
/// run as a formula neutralised (<see cref="SpreadsheetText"/>), and the contact columns only when asked for.
/// One row shape per file: the first row fixes the header.
/// </summary>
public sealed class SupportCsvWriter(Stream stream, CultureInfo culture, bool includePersonalData, string? delimiter = null) : IDisposable
{
    readonly TextWriter _out = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true)) { NewLine = "\r\n" };
    readonly string _delimiter = Separator(string.IsNullOrEmpty(delimiter) ? culture.TextInfo.ListSeparator : delimiter);
    bool _headerWritten;

    static string Separator(string d) => d.Length == 0 || d.Contains('"') || d.Contains('\n') || d.Contains('\r')
        ? throw new ArgumentException($"'{d}' cannot separate CSV columns: use ';', ',' or a tab.")
        : d;

    public int Rows { get; private set; }

    public static readonly string[] OrderColumns =
        { "OrderId", "Status", "PaidAt", "Event", "ShowStart", "City", "Tickets", "Amount", "Currency", "PromoCode" };

    public static readonly string[] TicketColumns =
        { "OrderId", "TicketId", "Status", "PaidAt", "Event", "ShowStart", "City", "Seat", "Price", "Currency", "PromoCode" };

    public static readonly string[] BuyerColumns = { "BuyerName", "BuyerEmail", "BuyerPhone" };
    public static readonly string[] HolderColumns = { "HolderName", "HolderEmail", "HolderPhone" };

    public void Write(SupportOrderRow r)
    {
        Header(includePersonalData ? OrderColumns.Concat(BuyerColumns) : OrderColumns);
        var cells = new List<string>
        {
            Id(r.OrderId), Text(r.Status), Text(r.PaidAt), Text(r.Event), Text(r.ShowStart), Text(r.City),
            r.Tickets.ToString(culture), r.Amount.ToString(culture), Text(r.Currency), Text(r.PromoCode),
        };
        if (includePersonalData) cells.AddRange(new[] { Text(r.BuyerName), Text(r.BuyerEmail), Text(r.BuyerPhone) });
        Line(cells);
    }

    public void Write(SupportTicketRow r)
    {
        Header(includePersonalData ? TicketColumns.Concat(BuyerColumns).Concat(HolderColumns) : TicketColumns);
        var cells = new List<string>
        {
            Id(r.OrderId), Id(r.TicketId), Text(r.Status), Text(r.PaidAt), Text(r.Event), Text(r.ShowStart), Text(r.City),
            Text(r.Seat), r.Price.ToString(culture), Text(r.Currency), Text(r.PromoCode),
        };
        if (includePersonalData)
            cells.AddRange(new[] { Text(r.BuyerName), Text(r.BuyerEmail), Text(r.BuyerPhone), Text(r.HolderName), Text(r.HolderEmail), Text(r.HolderPhone) });
        Line(cells);
    }

    /// <summary>Writes the header alone (a file with no matching order still names its columns).</summary>
    public void WriteHeader(bool perTicket) => Header(perTicket
        ? (includePersonalData ? TicketColumns.Concat(BuyerColumns).Concat(HolderColumns) : TicketColumns)
        : (includePersonalData ? OrderColumns.Concat(BuyerColumns) : OrderColumns));

    public void Dispose() => _out.Dispose();

    void Header(IEnumerable<string> columns)
    {
        if (_headerWritten) return;
        _out.WriteLine(string.Join(_delimiter, columns));
        _headerWritten = true;
    }

    void Line(List<string> cells)
    {
        _out.WriteLine(string.Join(_delimiter, cells));
        Rows++;
    }

    static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);

    string Text(string? value) => Quote(SpreadsheetText.Neutralise(value));

    string Quote(string cell) =>
        cell.Contains('"') || cell.Contains(_delimiter, StringComparison.Ordinal) || cell.Contains('\n') || cell.Contains('\r')
            ? "\"" + cell.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""
            : cell;
}
