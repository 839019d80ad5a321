namespace Situk.Contracts;

/// <summary>
/// WebSocket close codes of the <c>situk.v1</c> device protocol. 1000–1015 are RFC 6455's own;
/// 4000–4999 is the range RFC 6455 leaves to applications, and Situk uses it for decisions
/// the device must not retry blindly (a new token is needed, or an admin closed it).
/// </summary>
public static class CloseCodes
{
    /// <summary>Normal closure, by either side.</summary>
    public const int Normal = 1000;

    /// <summary>The server is going away (shutdown or restart): reconnect, possibly elsewhere.</summary>
    public const int GoingAway = 1001;

    /// <summary>
    /// Bytes that are not a valid WebSocket frame (unmasked, a reserved opcode, an oversized control frame):
    /// sent by the WebSocket layer itself, which then ends the connection.
    /// </summary>
    public const int ProtocolError = 1002;

    /// <summary>A text frame that is not valid UTF-8.</summary>
    public const int InvalidPayload = 1007;

    /// <summary>
    /// Unknown frame type, malformed JSON, a binary frame or another protocol breach; also (reason
    /// <c>inbound frame rate</c>) ack, read and token frames faster than the session's token bucket allows,
    /// and (reason <c>token for another user</c>) a token frame whose valid token names another user or role.
    /// </summary>
    public const int PolicyViolation = 1008;

    /// <summary>A frame larger than the broker accepts (4 KiB by default).</summary>
    public const int MessageTooBig = 1009;

    /// <summary>Overloaded or too slow to read: reconnect with back-off.</summary>
    public const int TryAgainLater = 1013;

    /// <summary>The token expired while connected: fetch a new token, then reconnect.</summary>
    public const int TokenExpired = 4001;

    /// <summary>Closed by an admin through the management endpoints.</summary>
    public const int KickedByAdmin = 4003;

    /// <summary>
    /// The device sign-in this socket belongs to (the token's <c>sid</c>) was ended: signed out, or revoked
    /// because its refresh token was used twice. Do not reconnect with the tokens of that sign-in.
    /// </summary>
    public const int SignedOut = 4004;
}
