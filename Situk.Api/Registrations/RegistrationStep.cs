using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Situk.Api.Errors;
using Situk.Api.Notifications;
using Situk.Api.Relay;

namespace Situk.Api.Registrations;

/// <summary>
/// One step on one registration: a transaction holding the registration's row lock. Disposing
/// without <see cref="CommitAsync"/> rolls everything back, so a refused step leaves nothing behind.
/// </summary>
internal sealed class RegistrationStep : IAsyncDisposable
{
    private readonly PushHandOff _pushes;

    private RegistrationStep(NpgsqlConnection connection, NpgsqlTransaction transaction, PushHandOff pushes, RegistrationStore.Locked? registration)
    {
        Connection = connection;
        Transaction = transaction;
        Registration = registration;
        _pushes = pushes;
    }

    public NpgsqlConnection Connection { get; }

    public NpgsqlTransaction Transaction { get; }

    /// <summary>The locked registration, or null when the id names none.</summary>
    public RegistrationStore.Locked? Registration { get; }

    /// <summary>
    /// Why the step may not go on, or null: 404 when the id names no registration the caller may act on
    /// (<paramref name="mayAct"/>; someone else's registration is not found, not forbidden), 409 naming the
    /// current status when it is not <paramref name="expected"/>.
    /// </summary>
    public ProblemHttpResult? Refuse(long id, Func<RegistrationStore.Locked, bool> mayAct, string expected) =>
        Registration is not { } r || !mayAct(r) ? Problems.NotFound("registration.not_found", ("id", id))
        : r.Status != expected ? Problems.WrongState(id, r.Status, expected)
        : null;

    /// <param name="pushes">Where the step's notifications are pushed from once it has committed (docs/relay.md, "The push hand-off").</param>
    public static async Task<RegistrationStep> BeginAsync(NpgsqlDataSource db, PushHandOff pushes, long id, CancellationToken ct)
    {
        var connection = await db.OpenConnectionAsync(ct);
        try
        {
            var transaction = await connection.BeginTransactionAsync(ct);
            return new RegistrationStep(connection, transaction, pushes, await RegistrationStore.LockAsync(connection, transaction, id, ct));
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Moves the registration to <paramref name="status"/> (null: it stays) and sets the step's columns in
    /// the same UPDATE (so the table's CHECKs see a consistent row), writes the notifications, commits, and hands their
    /// pushes to the broker link.
    /// </summary>
    public async Task CommitAsync(string? status, IEnumerable<NewNotification> notifications, CancellationToken ct, RegistrationChange? change = null)
    {
        if (status is not null)
        {
            await RegistrationStore.SetStatusAsync(Connection, Transaction, Registration!.Id, status, change ?? new RegistrationChange(), ct);
        }

        var written = await NotificationWriter.AddAsync(Connection, Transaction, notifications, _pushes, ct);
        await Transaction.CommitAsync(ct);
        _pushes.Send(written.Pushes);
    }

    public async ValueTask DisposeAsync()
    {
        await Transaction.DisposeAsync();
        await Connection.DisposeAsync();
    }
}

/// <summary>The columns a step sets together with the status; null leaves a column as it is.</summary>
public sealed record RegistrationChange(
    long? VerifiedBy = null,
    string? VerificationNote = null,
    long? AsesorId = null,
    DateTimeOffset? AssessmentAt = null,
    string? Verdict = null,
    string? VerdictNote = null);
