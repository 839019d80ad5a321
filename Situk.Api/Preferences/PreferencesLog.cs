namespace Situk.Api.Preferences;

/// <summary>Preference log events (ids 580–589). No token is ever logged.</summary>
internal static partial class PreferencesLog
{
    [LoggerMessage(EventId = 580, Level = LogLevel.Information, Message = "User {UserId} unsubscribed from '{Group}' emails by link")]
    public static partial void Unsubscribed(ILogger logger, long userId, string group);

    [LoggerMessage(EventId = 581, Level = LogLevel.Information, Message = "Email switched back on for {Count} stored preference(s) of groups now mandatory")]
    public static partial void Reopened(ILogger logger, int count);
}
