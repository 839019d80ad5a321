using System.Text;
using Microsoft.Extensions.Options;

namespace Situk.Broker.Options;

/// <summary>Refuses to start with a short signing key or a missing issuer/audience.</summary>
internal sealed class JwtOptionsValidator : IValidateOptions<JwtOptions>
{
    public ValidateOptionsResult Validate(string? name, JwtOptions options)
    {
        var failures = new List<string>();
        if (Encoding.UTF8.GetByteCount(options.SigningKey ?? "") < 32)
        {
            failures.Add($"{JwtOptions.Section}:SigningKey must be at least 32 bytes.");
        }

        if (string.IsNullOrWhiteSpace(options.Issuer))
        {
            failures.Add($"{JwtOptions.Section}:Issuer is required.");
        }

        if (string.IsNullOrWhiteSpace(options.Audience))
        {
            failures.Add($"{JwtOptions.Section}:Audience is required.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>Refuses to start without keys, with unparsable URLs or with limits that make no sense.</summary>
internal sealed class BrokerOptionsValidator : IValidateOptions<BrokerOptions>
{
    public ValidateOptionsResult Validate(string? name, BrokerOptions o)
    {
        var failures = new List<string>();
        Require(string.IsNullOrWhiteSpace(o.InternalKey), "InternalKey is required.");
        Require(string.IsNullOrWhiteSpace(o.AdminKey), "AdminKey is required.");
        Require(o.NodeName is { } node && (node.Length > 100 || node.Any(c => char.IsControl(c) || char.IsWhiteSpace(c))),
            "NodeName must be at most 100 characters without spaces or control characters.");
        Require(!ListenUrl.TryParse(o.DeviceUrl, out _), "DeviceUrl must be an http URL such as http://0.0.0.0:5080.");
        Require(!ListenUrl.TryParse(o.InternalUrl, out _), "InternalUrl must be an http URL such as http://127.0.0.1:5081.");
        Require(!IsWebOrigin(o.PublicApiUrl), "PublicApiUrl must be an absolute http or https URL such as https://api.example.");
        Require(o.MaxSessionsPerUser < 1, "MaxSessionsPerUser must be at least 1.");
        Require(o.QueueCapacity < 1, "QueueCapacity must be at least 1.");
        Require(o.MaxFrameBytes < 64, "MaxFrameBytes must be at least 64.");
        Require(o.MaxAckIds < 1, "MaxAckIds must be at least 1.");
        Require(o.InboundFramesPerSecond < 1 || o.InboundFrameBurst < 1, "InboundFramesPerSecond and InboundFrameBurst must be at least 1.");
        Require(o.AckMemory < 1, "AckMemory must be at least 1.");
        Require(o.ReceiptShare < 1 || o.ReceiptBacklog < o.ReceiptShare, "ReceiptShare must be at least 1 and ReceiptBacklog at least ReceiptShare.");
        Require(o.HeartbeatSeconds < 1, "HeartbeatSeconds must be at least 1.");
        Require(o.HeartbeatTimeoutSeconds < 1, "HeartbeatTimeoutSeconds must be at least 1.");
        Require(o.CloseTimeoutSeconds < 1, "CloseTimeoutSeconds must be at least 1.");
        Require(o.MaxConnections < 0, "MaxConnections must be zero (derive from the open-file limit) or positive.");
        Require(o.ConnectRatePerSecond < 1 || o.ConnectBurst < 1, "ConnectRatePerSecond and ConnectBurst must be at least 1.");
        Require(o.RefusedRatePerSecond < 1 || o.RefusedBurst < 1, "RefusedRatePerSecond and RefusedBurst must be at least 1.");
        Require(o.KnownProxies.Any(p => !System.Net.IPAddress.TryParse(p, out _)), "KnownProxies must be IP addresses such as 10.0.0.5.");
        Require(o.KnownNetworks.Any(n => !System.Net.IPNetwork.TryParse(n, out _)), "KnownNetworks must be networks such as 10.0.0.0/8.");
        Require(o.HandshakeTimeoutSeconds < 1, "HandshakeTimeoutSeconds must be at least 1.");
        Require(o.InternalQueueCapacity < 1, "InternalQueueCapacity must be at least 1.");
        Require(o.InternalQueueBytes < o.MaxInternalFrameBytes, "InternalQueueBytes must be at least MaxInternalFrameBytes.");
        Require(o.MaxInternalFrameBytes < 1024, "MaxInternalFrameBytes must be at least 1024.");
        Require(o.ReceiptBatchSize < 1 || o.ReceiptFlushMilliseconds < 1, "ReceiptBatchSize and ReceiptFlushMilliseconds must be at least 1.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);

        static bool IsWebOrigin(string? url) =>
            Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);

        void Require(bool failed, string message)
        {
            if (failed)
            {
                failures.Add($"{BrokerOptions.Section}:{message}");
            }
        }
    }
}
