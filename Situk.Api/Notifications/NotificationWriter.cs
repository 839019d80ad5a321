using System.Text;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using Situk.Api.Database;
using Situk.Api.Relay;
using Situk.Api.Texts;
using Situk.Contracts;

namespace Situk.Api.Notifications;

/// <summary>
/// The one place that writes notifications: the inbox row, its <c>push_outbox</c> row and, for kinds
/// that go by email (<see cref="NotificationKinds.Table"/>), its <c>email_outbox</c> row to the
/// address the user registered with (or, for a digested copy, its <c>digest_items</c> row) — all inside
/// the caller's transaction, so they exist exactly when the change that caused them commits. Without one
/// (a caller with nothing else to commit), the batch is one implicit transaction: all of it or none. Each
/// notification's words are written here, once, in its reader's language and time zone
/// (<see cref="UserLocales"/>, one query for the batch): the inbox row, the device frame and the email then
/// say the same thing. A language changed later applies to notifications written after it; the row keeps the
/// language and zone it was written in, and its email is laid out in them. The email row
/// keeps the words (subject = title, text = body); the email relay lays them out (greeting, absolute link,
/// the LSP's footer) when it sends (<see cref="NotificationEmail"/>). One round trip for any number of notifications.
/// </summary>
public static class NotificationWriter
{
    // Data-modifying CTEs all run, referenced or not; the email row is written only when @email.
    // The recipient's preferences (notification_preferences, no row = on) are read here, at write time:
    // push off writes no push_outbox row, email off no email_outbox row unless the kind's email is
    // mandatory. The inbox row is the record and is always written.
    // A copy of a kind digested for its recipient's role (digest_kinds, from Situk:Digests:Kinds) gets a
    // digest_items row instead of its push and email rows: the digest that carries it is pushed and emailed.
    private const string InsertSql = """
        WITH n AS (
            INSERT INTO notifications (user_id, kind, priority, title, body, link, data, payload_bytes, language, time_zone)
            VALUES (@user_id, @kind, @priority, @title, @body, @link, @data, @payload_bytes,
                    coalesce(@language, (SELECT language FROM users WHERE id = @user_id)),
                    coalesce(@time_zone, (SELECT time_zone FROM users WHERE id = @user_id)))
            RETURNING id, user_id, created_at, language
        ), d AS (
            SELECT n.id, n.user_id,
                   EXISTS (SELECT 1 FROM digest_kinds k JOIN users u ON u.role = k.role WHERE k.kind = @kind AND u.id = n.user_id) AS held
            FROM n
        ), p AS (
            INSERT INTO push_outbox (notification_id, next_attempt_at) SELECT id, clock_timestamp() + @hold FROM d
            WHERE NOT d.held AND NOT EXISTS (SELECT 1 FROM notification_preferences np
                              WHERE np.user_id = d.user_id AND np.kind_group = @kind_group AND NOT np.push)
            RETURNING id, notification_id
        ), i AS (
            INSERT INTO digest_items (notification_id, user_id) SELECT id, user_id FROM d WHERE d.held
        ), e AS (
            INSERT INTO email_outbox (notification_id, user_id, to_address, subject, text_body, html_body)
            SELECT d.id, u.id, u.email, @subject, @text_body, @html_body
            FROM d JOIN users u ON u.id = d.user_id
            WHERE @email AND NOT d.held AND (@email_mandatory OR NOT EXISTS (SELECT 1 FROM notification_preferences np
                              WHERE np.user_id = d.user_id AND np.kind_group = @kind_group AND NOT np.email))
        )
        SELECT n.id, p.id AS outbox_id, n.created_at, n.language FROM n LEFT JOIN p ON p.notification_id = n.id
        """;

    // The statement as sent: its @names as $1, $2, … in this order, and its parameters given without names. Npgsql
    // sends a statement with positional parameters as it is, where named ones make it parse and rewrite the whole
    // statement on every call (about a tenth of the writer's CPU per notification, docs/benchmarks.md).
    private static readonly string[] InsertParameters =
    [
        "user_id", "kind", "priority", "title", "body", "link", "data", "payload_bytes", "language", "time_zone", "hold",
        "kind_group", "email", "email_mandatory", "subject", "text_body", "html_body",
    ];

    private static readonly string PositionalInsertSql = PositionalSql.From(InsertSql, InsertParameters);

    private static readonly Locale UnknownReader = Locale.For("id", Locale.DefaultZoneId);

    private static readonly DateTimeOffset SampleTime = new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero).AddTicks(1_234_560);

    /// <summary>Stores the notifications and their outbox rows; returns their ids in input order. The relays push them.</summary>
    public static async Task<IReadOnlyList<long>> AddAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, IEnumerable<NewNotification> notifications, CancellationToken ct) =>
        (await WriteAsync(connection, transaction, notifications.ToList(), TimeSpan.Zero, ct)).Ids;

    /// <summary>
    /// Stores them as <see cref="AddAsync(NpgsqlConnection, NpgsqlTransaction?, IEnumerable{NewNotification}, CancellationToken)"/>
    /// does, with their push rows held for <paramref name="handOff"/> (docs/relay.md, "The push hand-off") when they are
    /// at most <see cref="PushHandOff.MaxRecipients"/>. Without a
    /// transaction the batch has committed when this returns, and its pushes go to the hand-off here; with one, the
    /// caller gives <see cref="WrittenNotifications.Pushes"/> to <see cref="PushHandOff.Send"/> once it has committed.
    /// A caller that never does delays them by the hold, after which the relays push them.
    /// </summary>
    internal static async Task<WrittenNotifications> AddAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, IEnumerable<NewNotification> notifications, PushHandOff handOff, CancellationToken ct)
    {
        // More recipients than one relay batch (a role, everyone) go through the relays, which claim them a batch at a
        // time: the hand-off's queue is for the usual few, and never fills with one broadcast.
        var list = notifications.ToList();
        var written = await WriteAsync(connection, transaction, list, list.Count <= handOff.MaxRecipients ? handOff.Hold : TimeSpan.Zero, ct);
        if (transaction is null)
        {
            handOff.Send(written.Pushes);
        }

        return written;
    }

    private static async Task<WrittenNotifications> WriteAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, List<NewNotification> list, TimeSpan hold, CancellationToken ct)
    {
        if (list.Count == 0)
        {
            return WrittenNotifications.None;
        }

        // The row keeps the language and zone it was written for, and the email relay lays the email out in them
        // however late it sends (migration 0023). Words from texts need the reader here; words as given (an admin's
        // message) do not, and their row takes the reader's language and zone in the insert itself, which saves
        // the REST path a round trip per message.
        var readers = await UserLocales.LoadAsync(
            connection, transaction, list.Where(n => n.Words is NotificationWords.FromTexts).Select(n => n.UserId), ct);
        await using var batch = new NpgsqlBatch(connection, transaction);
        var words = new List<(string Title, string Body, string? Data)>(list.Count);
        foreach (var n in list)
        {
            // A user the database does not know gets the default reader; the insert then fails on its foreign key as before.
            var reader = n.Words is NotificationWords.FromTexts ? readers.GetValueOrDefault(n.UserId) ?? UnknownReader : null;
            var (title, body) = n.Words.For(TextCatalog.Embedded, reader ?? UnknownReader);
            var data = n.Data?.ToJsonString(); // once: the row's jsonb, the frame's size and the push all take this text
            words.Add((title, body, data));
            batch.BatchCommands.Add(Command(n, title, body, data, reader, hold));
        }

        var ids = new List<long>(list.Count);
        var pushes = new List<NotificationRow>();
        await using var rows = await batch.ExecuteReaderAsync(ct);
        do
        {
            while (await rows.ReadAsync(ct))
            {
                var index = ids.Count;
                ids.Add(rows.GetInt64(0));
                // Only held rows are the hand-off's: a row written due is the relays' (NOTIFY wakes them).
                if (hold > TimeSpan.Zero && !await rows.IsDBNullAsync(1, ct))
                {
                    var n = list[index];
                    pushes.Add(new NotificationRow
                    {
                        OutboxId = rows.GetInt64(1),
                        Id = ids[index],
                        UserId = n.UserId,
                        Kind = n.Kind,
                        Priority = (short)NotificationKinds.Table[n.Kind].Priority,
                        Title = words[index].Title,
                        Body = words[index].Body,
                        Link = n.Link,
                        Data = words[index].Data,
                        CreatedAt = rows.GetDateTime(2),
                        Language = await rows.IsDBNullAsync(3, ct) ? UnknownReader.Language : rows.GetString(3),
                    });
                }
            }
        }
        while (await rows.NextResultAsync(ct));

        return new WrittenNotifications(ids, pushes);
    }

    /// <summary>
    /// The size in bytes of the device frame this notification becomes, given its data as JSON text. The id and the
    /// times are not known before the insert; a 10-digit id and a microsecond-precision time stand in (a few bytes off
    /// at most). The frame is serialised without its data, whose text is counted as it is, with its member name: the
    /// data is not parsed and written again only to be measured.
    /// </summary>
    public static int FrameBytes(NewNotification n, string title, string body, string? data)
    {
        DeviceFrame frame = new NotificationFrame(1_000_000_000, n.Kind, title, body, n.Link, null, SampleTime, SampleTime);
        var bytes = JsonSerializer.SerializeToUtf8Bytes(frame, SitukJson.Default.DeviceFrame).Length;
        return data is null ? bytes : bytes + DataMember.Length + Encoding.UTF8.GetByteCount(data);
    }

    /// <summary>What the data adds to a frame besides its own text.</summary>
    private const string DataMember = ",\"data\":";

    private static NpgsqlBatchCommand Command(NewNotification n, string title, string body, string? data, Locale? reader, TimeSpan hold)
    {
        if (!NotificationKinds.Table.TryGetValue(n.Kind, out var info))
        {
            throw new ArgumentException($"Unknown notification kind '{n.Kind}'.", nameof(n));
        }

        if (n.Link is not null && !NotificationLinks.IsAllowed(n.Link))
        {
            throw new ArgumentException($"Notification link refused: {NotificationLinks.Rule}", nameof(n));
        }

        var email = info.Email && n.Email;
        var command = new NpgsqlBatchCommand(PositionalInsertSql);
        var p = command.Parameters; // in InsertParameters' order
        p.Add(new NpgsqlParameter<long> { TypedValue = n.UserId });
        p.Add(new NpgsqlParameter<string> { TypedValue = n.Kind });
        p.Add(new NpgsqlParameter<short> { TypedValue = (short)info.Priority });
        p.Add(new NpgsqlParameter<string> { TypedValue = title });
        p.Add(new NpgsqlParameter<string> { TypedValue = body });
        p.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = (object?)n.Link ?? DBNull.Value });
        p.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Jsonb, Value = (object?)data ?? DBNull.Value });
        p.Add(new NpgsqlParameter<int> { TypedValue = FrameBytes(n, title, body, data) });
        p.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = (object?)reader?.Language ?? DBNull.Value });
        p.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = (object?)reader?.Zone.Id ?? DBNull.Value });
        p.Add(new NpgsqlParameter<TimeSpan> { NpgsqlDbType = NpgsqlDbType.Interval, TypedValue = hold });
        p.Add(new NpgsqlParameter<string> { TypedValue = info.Group });
        p.Add(new NpgsqlParameter<bool> { TypedValue = email });
        p.Add(new NpgsqlParameter<bool> { TypedValue = NotificationGroups.MandatoryEmail.Contains(n.Kind) });
        p.Add(new NpgsqlParameter<string> { TypedValue = title });
        p.Add(new NpgsqlParameter<string> { TypedValue = email ? body : "" });
        p.Add(new NpgsqlParameter<string> { TypedValue = "" });
        return command;
    }
}
