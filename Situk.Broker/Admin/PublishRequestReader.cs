using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Situk.Contracts;

namespace Situk.Broker.Admin;

/// <summary>
/// Reads and checks the body of <c>POST /admin/publish</c>, naming the field at fault: bad JSON, a missing
/// <c>to</c> or <c>notification</c>, an audience that is not exactly one target, an unknown kind, an
/// empty title or body, a link that is not http(s) or site-relative.
/// The body is read whole from the request's pipe (Kestrel's <c>MaxRequestBodySize</c>, 30 MB by default,
/// bounds it as before) and parsed in one synchronous pass by the source-generated reader: a publish body is a
/// few hundred bytes, and parsing it as a stream cost more than the delivery it causes.
/// </summary>
internal static class PublishRequestReader
{
    public static async Task<(AdminPublishRequest? Request, Dictionary<string, string[]> Errors)> ReadAsync(
        HttpRequest request, CancellationToken cancellationToken)
    {
        var reader = request.BodyReader;
        ReadResult read;
        while (true)
        {
            read = await reader.ReadAsync(cancellationToken);
            if (read.IsCompleted || read.IsCanceled)
            {
                break;
            }

            reader.AdvanceTo(read.Buffer.Start, read.Buffer.End); // nothing consumed: wait for the rest
        }

        try
        {
            return Check(Parse(read.Buffer));
        }
        finally
        {
            reader.AdvanceTo(read.Buffer.End);
        }
    }

    private static (AdminPublishRequest? Body, string? Field) Parse(ReadOnlySequence<byte> body)
    {
        byte[]? rented = null;
        try
        {
            ReadOnlySpan<byte> json;
            if (body.IsSingleSegment)
            {
                json = body.FirstSpan;
            }
            else
            {
                rented = ArrayPool<byte>.Shared.Rent(checked((int)body.Length));
                body.CopyTo(rented);
                json = rented.AsSpan(0, (int)body.Length);
            }

            return (JsonSerializer.Deserialize(json, SitukJson.Default.AdminPublishRequest), null);
        }
        catch (JsonException e)
        {
            return (null, string.IsNullOrEmpty(e.Path) || e.Path == "$" ? "body" : e.Path.TrimStart('$', '.'));
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private static (AdminPublishRequest? Request, Dictionary<string, string[]> Errors) Check((AdminPublishRequest? Body, string? Field) parsed)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var body = parsed.Body;
        if (parsed.Field is { } field)
        {
            errors[field] = ["The body is not valid JSON for this request."];
            return (null, errors);
        }

        if (body is null)
        {
            errors["body"] = ["A JSON body is required."];
            return (null, errors);
        }

        if (body.To is null)
        {
            errors["to"] = ["to is required: {userIds:[…]}, {role:\"asesi\"} or {all:true}."];
        }
        else if (body.To.Problem() is { } problem)
        {
            errors["to"] = [problem];
        }

        var n = body.Notification;
        if (n is null)
        {
            errors["notification"] = ["notification is required."];
        }
        else
        {
            Check(string.IsNullOrWhiteSpace(n.Kind) || !NotificationKinds.IsKnown(n.Kind), "notification.kind", "kind must be one of the notification kinds, e.g. admin.message.");
            Check(string.IsNullOrWhiteSpace(n.Title), "notification.title", "title is required.");
            Check(string.IsNullOrWhiteSpace(n.Body), "notification.body", "body is required.");
            Check(n.Link is not null && !NotificationLinks.IsAllowed(n.Link), "notification.link", NotificationLinks.Rule);
        }

        return (errors.Count == 0 ? body : null, errors);

        void Check(bool failed, string field, string message)
        {
            if (failed)
            {
                errors[field] = [message];
            }
        }
    }
}
