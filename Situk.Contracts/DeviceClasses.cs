namespace Situk.Contracts;

/// <summary>
/// The device class a socket declares with <c>?device=</c>; used to break delivery delay down
/// by device, as the original study did. Anything unknown or missing counts as <see cref="Other"/>.
/// </summary>
public static class DeviceClasses
{
    public const string Web = "web";
    public const string Android = "android";
    public const string Ios = "ios";
    public const string Desktop = "desktop";
    public const string Other = "other";

    public static readonly IReadOnlyList<string> All = [Web, Android, Ios, Desktop, Other];

    public static string Normalize(string? value) => value?.ToLowerInvariant() switch
    {
        Web => Web,
        Android => Android,
        Ios => Ios,
        Desktop => Desktop,
        _ => Other,
    };
}
