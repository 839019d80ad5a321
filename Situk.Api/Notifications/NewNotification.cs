using System.Text.Json.Nodes;

namespace Situk.Api.Notifications;

/// <summary>
/// A notification to store for one user. <paramref name="Email"/> false withholds the email even for
/// a kind that has one (an admin's copy of <c>registration.submitted</c> is push only).
/// </summary>
public sealed record NewNotification(
    long UserId,
    string Kind,
    string Title,
    string Body,
    string? Link = null,
    JsonObject? Data = null,
    bool Email = true);
