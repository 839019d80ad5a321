using Microsoft.Extensions.Options;
using Npgsql;
using Situk.Api.Notifications;
using Situk.Api.Relay;
using Situk.Api.Texts;

namespace Situk.Api.Digests;

/// <summary>
/// Sends each person's waiting digest items as one digest: a notification of kind <c>digest.summary</c>
/// written by <see cref="NotificationWriter"/> (so it is pushed and emailed through the outbox like any
/// other) in the transaction that marks its items carried. Due when <see cref="DigestOptions.MaxItems"/>
/// items wait (woken by <c>LISTEN situk_digest_items</c>) or the oldest has waited
/// <see cref="DigestOptions.Window"/> on the <see cref="TimeProvider"/>'s clock (looked for every
/// <see cref="DigestOptions.SweepInterval"/>). A person's items are claimed under a per-person transaction
/// lock (<c>pg_try_advisory_xact_lock</c>, skipped when taken) and FOR UPDATE SKIP LOCKED, so any
/// number of API instances sweep at once, each item is carried once, and a digest holds one person's items only.
/// What waits when the API stops is still waiting when it starts again.
/// </summary>
internal sealed partial class DigestSweeper(
    NpgsqlDataSource dataSource,
    OutboxListener listener,
    DigestComposer composer,
    IOptions<DigestOptions> options,
    TimeProvider time,
    ILogger<DigestSweeper> logger) : BackgroundService
{
    public const string Channel = "situk_digest_items";

    // People per round; each digest is its own transaction, so a busy round never holds a large lock set.
    private const int PeoplePerRound = 100;

    private readonly WakeSignal _signal = new(time);

    /// <summary>Makes <c>digest_kinds</c> what <c>Situk:Digests:Kinds</c> says before anything is written.</summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await DigestStore.ReplaceKindsAsync(dataSource, [.. options.Value.Pairs()], cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    /// <summary>One round: writes every digest due now; returns how many.</summary>
    public async Task<int> SweepOnceAsync(CancellationToken ct)
    {
        var settings = options.Value;
        var cutoff = time.GetUtcNow() - settings.Window;
        await using var c = await dataSource.OpenConnectionAsync(ct);
        var due = await DigestStore.DueAsync(c, settings.MaxItems, cutoff, PeoplePerRound, ct);
        var written = 0;
        foreach (var userId in due)
        {
            // More than MaxItems waiting: one digest per MaxItems, the oldest first.
            bool? full;
            while ((full = await CarryAsync(c, userId, cutoff, ct)) is not null)
            {
                written++;
                if (full == false)
                {
                    break;
                }
            }
        }

        if (due.Count == PeoplePerRound)
        {
            _signal.Set();
        }

        if (written > 0)
        {
            LogDigestsWritten(logger, written, due.Count);
        }

        return written;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var every = options.Value.SweepInterval;
        var listening = listener.RunAsync(Channel, _signal, every, stoppingToken);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    await SweepOnceAsync(stoppingToken);
                }
                catch (Exception ex) when (Transient.IsDatabase(ex))
                {
                    LogSweepFailed(logger, ex.Message);
                }

                await _signal.WaitAsync(every, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down; items claimed and not committed stay waiting.
        }
        finally
        {
            await listening;
        }
    }

    /// <summary>
    /// Writes one digest of this person's waiting items: null when none is due (or another instance
    /// holds them), else whether it was full (more may wait).
    /// </summary>
    private async Task<bool?> CarryAsync(NpgsqlConnection c, long userId, DateTimeOffset cutoff, CancellationToken ct)
    {
        var maxItems = options.Value.MaxItems;
        await using var tx = await c.BeginTransactionAsync(ct);
        var items = await DigestStore.ClaimAsync(tx, userId, maxItems, ct);
        var due = items.Count == maxItems || items.Count > 0 && items.Min(i => i.WaitingSince) <= cutoff;
        var readers = due ? await UserLocales.LoadAsync(c, tx, [userId], ct) : null;
        if (readers is null || !readers.TryGetValue(userId, out var reader))
        {
            await tx.RollbackAsync(ct);
            return null;
        }

        // Its email is laid out when it is sent (DigestEmail), from the items marked carried here.
        var digestId = (await NotificationWriter.AddAsync(c, tx, [composer.Compose(userId, reader, items)], ct))[0];
        await DigestStore.MarkCarriedAsync(tx, digestId, [.. items.Select(i => i.Id)], ct);
        await tx.CommitAsync(ct);
        return items.Count == maxItems;
    }
}
