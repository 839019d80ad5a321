using System.Collections.Frozen;
using System.Globalization;
using Situk.Broker.Sockets;
using Situk.Contracts;

namespace Situk.Broker.Telemetry;

/// <summary>
/// The fixed set of values the <c>code</c> label of <c>closes</c> can take. A device chooses its own
/// close code (any of 1000–4999), and every distinct label value is a new time series kept for the
/// life of the process, so only the codes the protocol defines are named; anything else is <c>other</c>.
/// </summary>
internal static class CloseCodeLabels
{
    public const string Other = "other";

    private static readonly FrozenDictionary<int, string> Known = new[]
    {
        CloseCodes.Normal, CloseCodes.GoingAway, CloseCodes.ProtocolError, CloseCodes.InvalidPayload,
        CloseCodes.PolicyViolation, CloseCodes.MessageTooBig, CloseCodes.TryAgainLater,
        CloseCodes.TokenExpired, CloseCodes.KickedByAdmin, CloseCodes.SignedOut,

        // Recorded by the broker itself, never sent on the wire: a close frame without a code, and a
        // socket that ended without a close handshake.
        NoStatus, CloseCodeNames.Abnormal,
    }.ToFrozenDictionary(code => code, code => code.ToString(CultureInfo.InvariantCulture));

    /// <summary>RFC 6455's "no status code was present" (a close frame with an empty body).</summary>
    private const int NoStatus = 1005;

    /// <summary>The label for <paramref name="code"/>: the code itself when the protocol defines it, else <see cref="Other"/>.</summary>
    public static string For(int code) => Known.TryGetValue(code, out var label) ? label : Other;
}
