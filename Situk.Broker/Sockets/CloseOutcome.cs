using System.Net.WebSockets;

namespace Situk.Broker.Sockets;

/// <summary>Why a socket ended: the close code sent or received, and a short reason for the logs.</summary>
internal sealed record CloseOutcome(int Code, string Reason);

/// <summary>Close codes the broker uses that <see cref="WebSocketCloseStatus"/> does not name.</summary>
internal static class CloseCodeNames
{
    /// <summary>The code recorded when a socket ended without a close handshake (reset, keepalive timeout).</summary>
    public const int Abnormal = 1006;
}
