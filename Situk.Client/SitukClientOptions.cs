using Situk.Contracts;

namespace Situk.Client;

/// <summary>How a <see cref="SitukDeviceClient"/> reaches Situk.</summary>
public sealed class SitukClientOptions
{
    /// <summary>
    /// The device socket, e.g. <c>ws://localhost:5080/ws</c> (the <c>brokerUrl</c> handed out with the token). Set
    /// this or <see cref="BrokerUrls"/>; with both, <see cref="BrokerUrls"/> wins.
    /// </summary>
    public Uri? BrokerUrl { get; init; }

    /// <summary>
    /// Every broker's device socket (the <c>brokerUrls</c> handed out with the token). The client starts on a
    /// random one and moves to the next in the list when one fails: the connect is refused, the handshake
    /// fails other than by a 401/403 answer, the broker closes with 1001 (going away) or the connection ends
    /// without a close (1006, keep-alive timeout). Moving waits the usual back-off; a refused token, 1013, 4001,
    /// 4003 and 4004 keep (or stop) the client where it is. Empty (default) = just <see cref="BrokerUrl"/>.
    /// </summary>
    public IReadOnlyList<Uri> BrokerUrls { get; init; } = [];

    /// <summary>The REST API's root, e.g. <c>http://localhost:5000</c>; null turns the inbox sync off.</summary>
    public Uri? ApiUrl { get; init; }

    /// <summary>
    /// Returns a valid access token; called before every connect, so it may refresh an expiring one. Set this
    /// or <see cref="SignIn"/>.
    /// </summary>
    public Func<CancellationToken, ValueTask<string>>? TokenProvider { get; init; }

    /// <summary>
    /// A device sign-in (<see cref="SitukSignIn.SignInAsync"/>) the client keeps fresh by itself: it refreshes at
    /// about 80% of each access token's life through <see cref="ApiUrl"/> (required then), hands the new token to
    /// the open socket, and uses it for reconnects. A refused refresh, or the broker's 4004, ends in
    /// <see cref="ClientState.SignedOut"/>. Set this or <see cref="TokenProvider"/>.
    /// </summary>
    public SitukSignIn? SignIn { get; init; }

    /// <summary>The device class announced with <c>?device=</c>; default <c>other</c>.</summary>
    public string DeviceClass { get; init; } = DeviceClasses.Other;

    /// <summary>An opaque id of this device, announced with <c>&amp;deviceId=</c>; none by default.</summary>
    public string? DeviceId { get; init; }

    /// <summary>Ack each notification as soon as it is written to <see cref="SitukDeviceClient.Notifications"/>; default true.
    /// Set false to ack with <see cref="SitukDeviceClient.AckAsync"/> once it is really shown.</summary>
    public bool AutoAck { get; init; } = true;

    /// <summary>
    /// How long automatic acks gather before they go out as one frame, each id with the milliseconds since it arrived
    /// (the broker dates each receipt when the device got it); default 20 ms. A burst of notifications then costs the
    /// device, the broker and the API one ack frame instead of one each. <see cref="TimeSpan.Zero"/>: one frame per
    /// notification, as soon as it is handed over.
    /// </summary>
    public TimeSpan AckWindow { get; init; } = TimeSpan.FromMilliseconds(20);

    /// <summary>First reconnect delay; it doubles up to <see cref="MaxBackoff"/>, with jitter. Default 0.5 s.</summary>
    public TimeSpan MinBackoff { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Longest reconnect delay; default 30 s.</summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>First reconnect delay after close 1013 (overloaded or too slow); default 5 s.</summary>
    public TimeSpan OverloadedBackoff { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How often the client pings the broker; default 25 s (the broker's own heartbeat). With
    /// <see cref="KeepAliveTimeout"/> this is how a device notices a connection that died without a
    /// close or a reset — it moved to another network — instead of waiting on it until TCP gives up.
    /// </summary>
    public TimeSpan KeepAliveInterval { get; init; } = TimeSpan.FromSeconds(25);

    /// <summary>How long a ping may go unanswered before the socket is dropped and the client reconnects; default 15 s.</summary>
    public TimeSpan KeepAliveTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>How many recent ids are remembered to drop duplicates; default 4,096.</summary>
    public int SeenCapacity { get; init; } = 4096;

    /// <summary>Picks the first broker and the back-off jitter; seeded by tests to choose which broker comes first.</summary>
    internal Random? Random { get; init; }
}
