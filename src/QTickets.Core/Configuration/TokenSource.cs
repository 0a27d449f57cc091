namespace QTickets.Core.Configuration;

/// <summary>
/// Where a person gets the QTickets REST token, in the one wording every message, verdict and help page uses, so
/// nobody is sent to two different screens of the cabinet.
/// </summary>
public static class TokenSource
{
    public const string CabinetLocation = "the QTickets cabinet, Settings – Main (Настройки – Основное), at the bottom of the page";
}
