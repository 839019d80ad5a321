namespace Situk.Api.Relay;

/// <summary>
/// The SMTP server did not offer the TLS this configuration requires (STARTTLS missing, or the
/// connection not encrypted), so nothing was sent: no credentials, no message. Not transient: it is the
/// server's configuration or someone between us and it, and retrying a few seconds later changes nothing.
/// </summary>
internal sealed class SmtpTlsUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
