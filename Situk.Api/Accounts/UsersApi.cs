using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Npgsql;
using Situk.Api.Auth;
using Situk.Api.Errors;
using Situk.Api.Texts;
using Situk.Contracts;

namespace Situk.Api.Accounts;

/// <summary>
/// The admin's user management: <c>GET /users</c> (list and search), <c>GET /users/{id}</c>,
/// <c>POST /admins</c>, and deactivating (<c>POST</c>) or reactivating (<c>DELETE</c>)
/// <c>/users/{id}/deactivation</c>. Every route is admin only (403 for anyone else).
/// </summary>
public static partial class UsersApi
{
    /// <summary>Page size of <c>GET /users</c> when <c>limit</c> is not given, and its most.</summary>
    public const int DefaultListLimit = 50;
    public const int MaxListLimit = 200;

    /// <summary>The longest <c>q</c>: names are at most 200 characters, emails 254.</summary>
    public const int MaxQueryLength = 254;

    public static IEndpointRouteBuilder MapUsers(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/admins", CreateAdmin)
            .WithTags("Accounts")
            .RequireAuthorization(AuthSetup.Admin)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("An admin creates another admin account (the same body and rules as POST /asesors).");

        var users = routes.MapGroup("/users").WithTags("Accounts").RequireAuthorization(AuthSetup.Admin);
        users.MapGet("/", List)
            .WithSummary("A page of users by id after a cursor (limit 1–200, default 50), filtered by role and q (part of the name or email, any case).");
        users.MapGet("/{id:long}", Get).ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("One user: id, email, name, role, whether the email is confirmed, when created and deactivated.");
        users.MapPost("/{id:long}/deactivation", Deactivate)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Deactivates a user: sign-in is refused, their access tokens stop working, their open device sockets are closed. "
                + "Sending it again keeps the first time and reason and closes the sockets again.");
        users.MapDelete("/{id:long}/deactivation", Reactivate)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Reactivates a user: they can sign in again.");
        return routes;
    }

    private static async Task<Results<Ok<UserPage>, ValidationProblem>> List(
        long? after, int? limit, string? role, string? q, NpgsqlDataSource db, CancellationToken ct)
    {
        var take = limit ?? DefaultListLimit;
        if (take is < 1 or > MaxListLimit)
        {
            return Problems.Invalid("limit", "list.limit", ("max", MaxListLimit));
        }

        if (after is < 0)
        {
            return Problems.Invalid("after", "list.after_negative");
        }

        if (role is not null && !Roles.IsKnown(role))
        {
            return Problems.Invalid("role", "list.role", ("roles", string.Join(", ", Roles.All)));
        }

        var query = q?.Trim();
        if (q is not null && query!.Length is < 1 or > MaxQueryLength)
        {
            return Problems.Invalid("q", "users.query", ("max", MaxQueryLength));
        }

        await using var c = await db.OpenConnectionAsync(ct);
        var rows = await UserStore.ListAsync(c, after ?? 0, role, query, take + 1, ct);
        var items = rows.Take(take).ToArray();
        return TypedResults.Ok(new UserPage(items, rows.Length > take ? items[^1].Id : null));
    }

    private static async Task<Results<Ok<UserDto>, ProblemHttpResult>> Get(long id, NpgsqlDataSource db, CancellationToken ct)
    {
        await using var c = await db.OpenConnectionAsync(ct);
        return await UserStore.LoadAsync(c, id, ct) is { } user ? TypedResults.Ok(user) : Problems.NotFound("user.not_found", ("id", id));
    }

    private static async Task<Results<Created<AccountDto>, ProblemHttpResult>> CreateAdmin(NewAdminRequest body, NpgsqlDataSource db, IOptions<TextOptions> texts, CancellationToken ct)
    {
        var email = EmailAddresses.Canonical(body.Email)!; // validated
        await using var connection = await db.OpenConnectionAsync(ct);
        if (await UserStore.FindHolderAsync(connection, email, ct) is not null)
        {
            return Problems.Conflict("account.email_taken", ("email", email));
        }

        // An admin vouches for the address of an admin they create, as for an asesor.
        var id = await UserStore.CreateAsync(connection, null, body.FullName, email, Passwords.Hash(body.Password), body.Phone, Roles.Admin, verified: true, texts.Value.For(body.Language, body.TimeZone), ct);
        return id is { } created
            ? TypedResults.Created($"/api/v1/users/{created}", new AccountDto(created, email, Roles.Admin))
            : Problems.Conflict("account.email_taken", ("email", email));
    }
}
