using System.Text.Json;

namespace Situk.Broker.Cluster;

/// <summary>
/// A broker's answer as one NATS message, which the server refuses past its <c>max_payload</c> (1 MiB by
/// default, about 4,000 session rows). A sessions list too long for it keeps its oldest rows that fit and says
/// how many it left out (<see cref="AdminAnswer.Omitted"/>), rather than not answering and being named missing.
/// </summary>
internal static class AdminReplies
{
    /// <summary>Room kept under the limit for the reply's subject and headers.</summary>
    private const int Headroom = 1024;

    public static byte[] Fit(AdminAnswer answer, long maxPayload)
    {
        var limit = Math.Max(maxPayload - Headroom, 1);
        var bytes = Serialize(answer);
        if (bytes.Length <= limit || answer.Sessions is not { Length: > 0 } sessions)
        {
            return bytes;
        }

        // Rows are of similar size: start from the share that should fit, then shrink by a tenth until it does.
        var keep = (int)Math.Min(sessions.Length - 1, (long)sessions.Length * limit / bytes.Length);
        while (true)
        {
            bytes = Serialize(answer with { Sessions = sessions[..keep], Omitted = sessions.Length - keep });
            if (bytes.Length <= limit || keep == 0)
            {
                return bytes;
            }

            keep = keep * 9 / 10;
        }
    }

    private static byte[] Serialize(AdminAnswer answer) => JsonSerializer.SerializeToUtf8Bytes(answer, AdminJson.Default.AdminAnswer);
}
