using Microsoft.Extensions.DependencyInjection;
using Situk.Broker.Cluster;

namespace Situk.Broker.Admin;

/// <summary>
/// Where a management route gets its answer: from every broker of the cluster when <c>Situk:Nats:Url</c> is set
/// (<see cref="ClusterAdmin"/>), else from this broker alone.
/// </summary>
internal sealed class AdminScope(LocalAdmin local, IServiceProvider services)
{
    private readonly ClusterAdmin? _cluster = services.GetService<ClusterAdmin>();

    public bool IsCluster => _cluster is not null;

    public async Task<Gathered> AskAsync(string op, AdminQuery query, CancellationToken ct) =>
        _cluster is null ? new Gathered([local.Answer(op, query)], []) : await _cluster.AskAsync(op, query, ct);
}
