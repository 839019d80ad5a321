using System.Buffers;
using System.Net.WebSockets;
using System.Text.Json;
using System.Threading.Channels;
using Situk.Contracts;

namespace Situk.Client;

/// <summary>
/// A device's connection to Situk, as <c>situk.js</c> is for browsers: holds the device socket open,
/// reconnects with exponential back-off and jitter (longer after 1013, at once after 1001, never after
/// an admin's 4003 or the end of its sign-in, 4004), given several brokers starts on a random one and moves
/// to the next when one fails (see <see cref="SitukClientOptions.BrokerUrls"/>), acks what it hands over, drops duplicate ids, and after every
/// (re)connect fetches what it missed from the REST inbox. Given a <see cref="SitukSignIn"/> it refreshes the
/// access token before it expires and hands it to the open socket. Read <see cref="Notifications"/>; each id arrives once.
/// </summary>
public sealed partial class SitukDeviceClient : IAsyncDisposable
{
    // Largest frame accepted from the broker: a notification body is at most a few tens of KiB.
    private const int MaxFrameBytes = 1024 * 1024;
    // The broker accepts a bounded number of ids per ack frame.
    private const int AckChunk = 200;

    private readonly SitukClientOptions _options;
    private readonly TimeProvider _time;
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly Random _random;
    private readonly Channel<ReceivedNotification> _notifications = Channel.CreateUnbounded<ReceivedNotification>(new() { SingleWriter = false });
    private readonly SeenIds _seen;
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<(ClientState State, TaskCompletionSource Done)> _waiters = [];
    private ClientWebSocket? _socket;
    private CancellationTokenSource? _running;
    private Task? _loop;
    private Task _refreshing = Task.CompletedTask;
    private string _token = "";
    private IReadOnlyList<Uri> _brokers = [];
    private int _brokerIndex;
    private long _duplicatesDropped;
    private long _inboxSyncs;

    public SitukDeviceClient(SitukClientOptions options, TimeProvider? timeProvider = null, HttpClient? httpClient = null)
    {
        _options = options;
        _time = timeProvider ?? TimeProvider.System;
        _http = httpClient ?? new HttpClient();
        _ownsHttp = httpClient is null;
        _seen = new SeenIds(options.SeenCapacity);
        _random = options.Random ?? new Random();
    }

    /// <summary>Raised on every change of <see cref="State"/>, on the client's own loop: keep handlers short.</summary>
    public event Action<ClientStateChange>? StateChanged;

    /// <summary>Raised when notifications were read on another device of the user or through REST (read sync).</summary>
    public event Action<IReadOnlyList<long>>? Read;

    /// <summary>Every notification, once per id, in the order received.</summary>
    public ChannelReader<ReceivedNotification> Notifications => _notifications.Reader;

    public ClientState State { get; private set; } = ClientState.Idle;

    /// <summary>The highest notification id received so far: the inbox sync starts after it.</summary>
    public long LastId { get; private set; }

    /// <summary>The current socket's session id, from the welcome frame.</summary>
    public string? SessionId { get; private set; }

    /// <summary>The broker the client is connected or connecting to: one of <see cref="SitukClientOptions.BrokerUrls"/>.</summary>
    public Uri? CurrentBrokerUrl { get; private set; }

    /// <summary>How many times a socket was opened and welcomed.</summary>
    public int Connections { get; private set; }

    /// <summary>How many duplicate ids were dropped.</summary>
    public long DuplicatesDropped => Interlocked.Read(ref _duplicatesDropped);

    /// <summary>
    /// How many inbox syncs (one after each welcome) have read the inbox to its end. Once it has grown after a connect,
    /// what the device missed while away has been handed over, and new notifications come by the socket.
    /// </summary>
    public long InboxSyncs => Interlocked.Read(ref _inboxSyncs);

    /// <summary>Starts connecting in the background; returns at once.</summary>
    public void Start()
    {
        if (_loop is not null)
        {
            throw new InvalidOperationException("The client is already started.");
        }

        if (_options.TokenProvider is null == _options.SignIn is null)
        {
            throw new InvalidOperationException("Set exactly one of TokenProvider and SignIn.");
        }

        _brokers = _options.BrokerUrls is { Count: > 0 } brokers ? brokers
            : _options.BrokerUrl is { } single ? [single]
            : throw new InvalidOperationException("Set BrokerUrls or BrokerUrl.");
        // A random first broker spreads a lab's devices over the cluster; the order after it is the list's.
        _brokerIndex = _random.Next(_brokers.Count);

        // Stopped by DisposeAsync, or by the end of the sign-in.
        _running = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        _loop = RunAsync(_running.Token);
        if (_options.SignIn is { } signIn)
        {
            _refreshing = RefreshLoopAsync(signIn, _running.Token);
        }
    }

    /// <summary>Completes when the client next reaches <paramref name="state"/> (at once if it is there now).</summary>
    public Task WaitForStateAsync(ClientState state, CancellationToken cancellationToken)
    {
        TaskCompletionSource done;
        lock (_gate)
        {
            if (State == state)
            {
                return Task.CompletedTask;
            }

            done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((state, done));
        }

        return done.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Closes the socket (1000) and stops reconnecting.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        var socket = _socket;
        if (socket is { State: WebSocketState.Open })
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "client stopped", timeout.Token);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
            {
                // Closing is best effort; the socket is aborted below.
            }
        }

        socket?.Abort();
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        await _refreshing.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (!_signedOut)
        {
            SetState(ClientState.Stopped, null);
        }

        _notifications.Writer.TryComplete();
        _running?.Dispose();
        _stopping.Dispose();
        _sendLock.Dispose();
        _refreshLock.Dispose();
        if (_ownsHttp)
        {
            _http.Dispose();
        }
    }

    private async Task RunAsync(CancellationToken ct)
    {
        var attempt = 0;
        while (!ct.IsCancellationRequested)
        {
            SetState(attempt == 0 ? ClientState.Connecting : ClientState.Reconnecting, null);
            int? closeCode = null;
            var welcomed = false;
            var brokerFailed = false;
            try
            {
                _token = await TokenForConnectAsync(ct);
                using var socket = new ClientWebSocket();
                socket.Options.SetRequestHeader("Authorization", "Bearer " + _token);
                socket.Options.KeepAliveInterval = _options.KeepAliveInterval;
                socket.Options.KeepAliveTimeout = _options.KeepAliveTimeout;
                socket.Options.CollectHttpResponseDetails = true;
                CurrentBrokerUrl = _brokers[_brokerIndex];
                brokerFailed = true;
                await ConnectAsync(socket, DeviceUri(CurrentBrokerUrl), ct);
                _socket = socket;
                (welcomed, closeCode) = await RunSessionAsync(socket, ct);
                // A broker going away (1001) is a failed broker; any other close is about this device and
                // would be the same on every broker.
                brokerFailed = closeCode == CloseCodes.GoingAway;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }
            catch (AuthRefusedException)
            {
                // The broker answered and refused the token: another broker would refuse it too.
                brokerFailed = false;
            }
            catch (Exception ex) when (ex is WebSocketException or HttpRequestException or IOException or JsonException or OperationCanceledException)
            {
                // Refused, reset or unreachable, or aborted by the keep-alive timeout (which surfaces as an
                // OperationCanceledException, "Aborted", though nobody asked to stop): back off and try again,
                // on the next broker when this one failed (brokerFailed is still set from the connect).
            }
            finally
            {
                _socket = null;
            }

            if (ct.IsCancellationRequested)
            {
                break;
            }

            if (closeCode == CloseCodes.KickedByAdmin)
            {
                SetState(ClientState.Stopped, closeCode);
                return;
            }

            if (closeCode == CloseCodes.SignedOut)
            {
                await SignOutLocallyAsync();
                break;
            }

            if (brokerFailed)
            {
                _brokerIndex = (_brokerIndex + 1) % _brokers.Count;
            }

            attempt = welcomed ? 0 : attempt;
            SetState(ClientState.Reconnecting, closeCode);
            var minimum = closeCode == CloseCodes.TryAgainLater ? _options.OverloadedBackoff : _options.MinBackoff;
            await DelayAsync(Backoff.Delay(attempt++, minimum, _options.MaxBackoff, _random), ct);
        }

        if (_signedOut)
        {
            SetState(ClientState.SignedOut, CloseCodes.SignedOut);
        }
    }

    /// <summary>The access token for REST calls: the sign-in's current one (it may have been refreshed since the connect).</summary>
    private string CurrentToken => _options.SignIn?.AccessToken ?? _token;

    private async Task DelayAsync(TimeSpan delay, CancellationToken ct)
    {
        try
        {
            await Task.Delay(delay, _time, ct);
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    // A handshake the broker answered with 401 or 403 is about the token or the origin, not the broker.
    private static async Task ConnectAsync(ClientWebSocket socket, Uri uri, CancellationToken ct)
    {
        try
        {
            await socket.ConnectAsync(uri, ct);
        }
        catch (WebSocketException ex) when (socket.HttpStatusCode is System.Net.HttpStatusCode.Unauthorized or System.Net.HttpStatusCode.Forbidden)
        {
            throw new AuthRefusedException(ex);
        }
    }

    private Uri DeviceUri(Uri broker)
    {
        var query = "device=" + Uri.EscapeDataString(_options.DeviceClass);
        if (_options.DeviceId is { Length: > 0 } id)
        {
            query += "&deviceId=" + Uri.EscapeDataString(id);
        }

        var builder = new UriBuilder(broker);
        builder.Query = string.IsNullOrEmpty(builder.Query) ? query : builder.Query.TrimStart('?') + "&" + query;
        return builder.Uri;
    }

    private void SetState(ClientState state, int? closeCode)
    {
        List<TaskCompletionSource> done;
        lock (_gate)
        {
            if (State == state && closeCode is null)
            {
                return;
            }

            State = state;
            done = _waiters.Where(w => w.State == state).Select(w => w.Done).ToList();
            _waiters.RemoveAll(w => w.State == state);
        }

        foreach (var d in done)
        {
            d.TrySetResult();
        }

        StateChanged?.Invoke(new ClientStateChange(state, closeCode));
    }

    private static async Task<byte[]?> ReceiveMessageAsync(ClientWebSocket socket, ArrayBufferWriter<byte> buffer, CancellationToken ct)
    {
        buffer.ResetWrittenCount();
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer.GetMemory(16 * 1024), ct);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }

            buffer.Advance(result.Count);
            if (buffer.WrittenCount > MaxFrameBytes)
            {
                throw new WebSocketException(WebSocketError.InvalidMessageType, "A frame from the broker exceeded 1 MiB.");
            }

            if (result.EndOfMessage)
            {
                return buffer.WrittenSpan.ToArray();
            }
        }
    }
}
