using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Situk.Contracts;

namespace Situk.Broker.Admin;

/// <summary>
/// Reads and checks the body of <c>POST /admin/publish</c>, naming the field at fault: bad JSON, a missing
/// <c>to</c> or <c>notification</c>, an audience that is not exactly one target, an unknown kind, an
/// empty title or body, a link that is not http(s) or site-relative.
/// </summary>
internal static class PublishRequestReader
{
    public static async Task<(AdminPublishRequest? Request, Dictionary<string, string[]> Errors)> ReadAsync(
        HttpRequest request, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        AdminPublishRequest? body;
        try
        {
            body = await JsonSerializer.DeserializeAsync(request.Body, SitukJson.Default.AdminPublishRequest, cancellationToken);
        }
        catch (JsonException e)
        {
            errors[string.IsNullOrEmpty(e.Path) || e.Path == "$" ? "body" : e.Path.TrimStart('$', '.')] = ["The body is not valid JSON for this request."];
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
