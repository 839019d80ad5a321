using System.Net.WebSockets;

namespace Situk.Client;

/// <summary>The broker answered the handshake with 401 or 403: the token (or origin) is refused, the broker is alive.</summary>
internal sealed class AuthRefusedException(WebSocketException inner)
    : Exception("The broker refused the device's credentials.", inner);
