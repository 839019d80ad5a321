namespace Situk.Api.Notifications;

/// <summary>
/// <c>Situk:Notifications</c>: which kinds go out as pull after push. For such a kind the pushed frame
/// and the email carry only neutral words; the device fetches the item over authenticated REST, so
/// no result sits in a broker queue, a log or a mailbox.
/// </summary>
public sealed class PullOptions
{
    public const string Section = "Situk:Notifications";

    /// <summary>
    /// Kind → pull after push. Configuration adds kinds or switches these defaults off
    /// (<c>Situk__Notifications__Pull__verdict.competent=false</c>). Default: both verdicts, and
    /// <c>certificate.issued</c>, which tells the competent verdict as plainly as the verdict itself.
    /// </summary>
    public Dictionary<string, bool> Pull { get; set; } = new(StringComparer.Ordinal)
    {
        ["verdict.competent"] = true,
        ["verdict.not_yet_competent"] = true,
        ["certificate.issued"] = true,
    };
}
