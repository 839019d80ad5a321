namespace Situk.Api.Relay;

/// <summary>Where the link to the broker stands, as <c>/readyz</c> reports it.</summary>
public enum BrokerLinkState
{
    /// <summary>Not started yet, or connecting/reconnecting with back-off.</summary>
    Retrying,

    /// <summary>The socket is open; publishes flow.</summary>
    Connected,

    /// <summary>The host is shutting down.</summary>
    Stopped,

    /// <summary>
    /// Connected to NATS, but the server refused one of this instance's subscriptions or publishes since it connected:
    /// its NATS user lacks the API instances' permissions (<c>LastError</c> says which).
    /// </summary>
    Refused,
}

/// <summary>A publish could not complete: the link is down, broke, or the broker did not answer in time.</summary>
public sealed class BrokerUnavailableException : Exception
{
    public BrokerUnavailableException()
    {
    }

    public BrokerUnavailableException(string message)
        : base(message)
    {
    }

    public BrokerUnavailableException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
