using Microsoft.Extensions.Logging;

namespace Situk.Broker.Cluster;

/// <summary>Cluster management log lines (event ids 100–109).</summary>
internal static partial class ClusterAdminLog
{
    [LoggerMessage(100, LogLevel.Information, "Cluster management: node {Node} answers situk.admin.* on NATS at {Url}")]
    public static partial void Listening(ILogger logger, string node, string url);

    [LoggerMessage(101, LogLevel.Warning, "Cluster management: {Op} got no answer in time from {Missing}")]
    public static partial void Missing(ILogger logger, string op, string missing);

    [LoggerMessage(102, LogLevel.Warning, "Cluster management: could not ask the other brokers ({Op}): {Reason}")]
    public static partial void AskFailed(ILogger logger, string op, string reason);

    [LoggerMessage(103, LogLevel.Warning, "Cluster management: a message on {Subject} was not handled: {Reason}")]
    public static partial void BadMessage(ILogger logger, string subject, string reason);

    [LoggerMessage(104, LogLevel.Information, "Cluster management: broker {Node} joined")]
    public static partial void Joined(ILogger logger, string node);

    [LoggerMessage(105, LogLevel.Information, "Cluster management: broker {Node} left (it said goodbye)")]
    public static partial void Left(ILogger logger, string node);

    [LoggerMessage(106, LogLevel.Information, "Cluster management: node {Node} said goodbye to the other brokers")]
    public static partial void SaidGoodbye(ILogger logger, string node);

    [LoggerMessage(107, LogLevel.Warning, "Cluster management: could not say goodbye; the other brokers expect this one until AdminNodeTtl: {Reason}")]
    public static partial void GoodbyeFailed(ILogger logger, string reason);
}
