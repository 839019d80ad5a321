using System.Net.WebSockets;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Situk.Contracts;

namespace Situk.Api.Relay;

/// <summary>
/// The API's one persistent internal socket to the broker. Full duplex and pipelined: one reader
/// loop, one writer fed by a bounded queue; each publish carries a <c>ref</c> and waits (with a
/// timeout) for the broker's <c>published</c> answer without holding up other publishes. The link
/// reconnects forever with exponential back-off and jitter behind a circuit breaker; while it is
/// down, publishes fail fast and the outbox simply grows.
/// </summary>
internal sealed partial class BrokerLink : BackgroundService, IBrokerTransport
{
    private readonly RelayOptions _options;
    private readonly Uri _url;
    private readonly BrokerInbound _inbound;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<BrokerLink> _logger;
    private readonly ResiliencePipeline _connectPipeline;
    private readonly Lock _stateGate = new();
    private TaskCompletionSource _connected = NewSignal();
    private volatile LinkConnection? _current;
    private long _nextRef;

    public BrokerLink(IOptions<RelayOptions> options, BrokerInbound inbound, TimeProvider timeProvider, ILogger<BrokerLink> logger)
    {
        _options = options.Value;
        _url = new Uri(_options.BrokerInternalUrl);
        _inbound = inbound;
        _timeProvider = timeProvider;
        _logger = logger;
        _connectPipeline = BuildConnectPipeline();
    }

    public BrokerLinkState State { get; private set; } = BrokerLinkState.Retrying;

    /// <summary>Why the last connection attempt or connection failed (no secrets: exception messages only).</summary>
    public string? LastError { get; private set; }

    /// <summary>Completes when the link is (or becomes) connected.</summary>
    public Task WaitUntilConnectedAsync(CancellationToken ct)
    {
        lock (_stateGate)
        {
            return _connected.Task.WaitAsync(ct);
        }
    }

    /// <summary>Publishes and waits for the broker's answer. Throws <see cref="BrokerUnavailableException"/> when the link is down, breaks, or times out.</summary>
    /// <returns>How many device sessions the broker queued it to (zero when the user is offline).</returns>
    public Task<int> PublishAsync(Audience to, PushNotification notification, CancellationToken ct)
    {
        var connection = _current;
        if (connection is null)
        {
            return Task.FromException<int>(new BrokerUnavailableException("The broker link is down."));
        }

        var reference = Interlocked.Increment(ref _nextRef);
        var frame = JsonSerializer.SerializeToUtf8Bytes<InternalFrame>(new PublishFrame(reference, to, notification), SitukJson.Default.InternalFrame);
        return connection.PublishAsync(reference, frame, _options.PublishTimeout, _timeProvider, ct);
    }

    /// <summary>
    /// Queues a read sync (a frame the broker does not answer) without waiting. False when the link is down
    /// or its queue is full: the devices then learn of it from the inbox on their next sync.
    /// </summary>
    public bool TrySendReadSync(ReadSyncFrame frame) => TrySend(frame);

    Task IBrokerTransport.PublishAsync(Audience to, PushNotification notification, CancellationToken ct) => PublishAsync(to, notification, ct);

    private bool TrySend(InternalFrame frame) =>
        _current is { } connection
        && connection.Outgoing.Writer.TryWrite(JsonSerializer.SerializeToUtf8Bytes(frame, SitukJson.Default.InternalFrame));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var socket = await _connectPipeline.ExecuteAsync(ConnectOnceAsync, stoppingToken);
                await RunConnectionAsync(socket, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
        finally
        {
            SetState(BrokerLinkState.Stopped, null);
        }
    }

    private async ValueTask<ClientWebSocket> ConnectOnceAsync(CancellationToken ct)
    {
        var socket = new ClientWebSocket();
        try
        {
            socket.Options.SetRequestHeader("Authorization", "Bearer " + _options.InternalKey);
            // Pings keep NATs open and, with the timeout, notice a broker that vanished without a FIN.
            socket.Options.KeepAliveInterval = TimeSpan.FromSeconds(15);
            socket.Options.KeepAliveTimeout = TimeSpan.FromSeconds(30);
            await socket.ConnectAsync(_url, ct);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private ResiliencePipeline BuildConnectPipeline()
    {
        var handled = new PredicateBuilder().Handle<Exception>(Transient.IsLink);
        return new ResiliencePipelineBuilder { TimeProvider = _timeProvider }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = handled,
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = _options.ReconnectBaseDelay,
                MaxDelay = _options.ReconnectMaxDelay,
                // While the breaker is open, wait for it rather than hammering it.
                DelayGenerator = args => new ValueTask<TimeSpan?>(
                    args.Outcome.Exception is BrokenCircuitException { RetryAfter: { } after } ? after : null),
                OnRetry = args =>
                {
                    LastError = args.Outcome.Exception?.Message;
                    LogLinkRetry(_logger, args.AttemptNumber + 1, args.RetryDelay, LastError);
                    return default;
                },
            })
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                ShouldHandle = handled,
                FailureRatio = 1.0,
                MinimumThroughput = 5,
                SamplingDuration = TimeSpan.FromSeconds(30),
                BreakDuration = _options.ReconnectMaxDelay,
                OnOpened = args =>
                {
                    LogBreakerOpened(_logger, args.BreakDuration);
                    return default;
                },
            })
            .AddTimeout(_options.ConnectTimeout)
            .Build();
    }

    private void SetState(BrokerLinkState state, string? error)
    {
        lock (_stateGate)
        {
            State = state;
            LastError = error ?? LastError;
            if (state == BrokerLinkState.Connected)
            {
                _connected.TrySetResult();
            }
            else if (_connected.Task.IsCompleted)
            {
                _connected = NewSignal();
            }
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
