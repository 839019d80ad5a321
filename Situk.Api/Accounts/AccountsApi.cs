using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Situk.Api.Auth;
using Situk.Api.Errors;
using Situk.Contracts;

namespace Situk.Api.Accounts;

/// <summary><c>POST /accounts</c> (asesi sign-up, anyone) and <c>POST /asesors</c> (admin).</summary>
public static class AccountsApi
{
    public static IEndpointRouteBuilder MapAccounts(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("").WithTags("Accounts");

        group.MapPost("/accounts", SignUp)
            .AllowAnonymous()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("An asesi signs up.");

        group.MapPost("/asesors", CreateAsesor)
            .RequireAuthorization(AuthSetup.Admin)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("An admin creates an asesor account.");

        return routes;
    }

    private static Task<Results<Created<AccountDto>, ProblemHttpResult>> SignUp(SignUpRequest body, NpgsqlDataSource db, CancellationToken ct) =>
        CreateAsync(db, body.FullName, body.Email, body.Password, body.Phone, Roles.Asesi, ct);

    private static Task<Results<Created<AccountDto>, ProblemHttpResult>> CreateAsesor(NewAsesorRequest body, NpgsqlDataSource db, CancellationToken ct) =>
        CreateAsync(db, body.FullName, body.Email, body.Password, body.Phone, Roles.Asesor, ct);

    private static async Task<Results<Created<AccountDto>, ProblemHttpResult>> CreateAsync(
        NpgsqlDataSource db, string fullName, string email, string password, string? phone, string role, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        var id = await UserStore.CreateAsync(connection, fullName, email, password, phone, role, ct);
        return id is { } created
            ? TypedResults.Created($"/api/v1/users/{created}", new AccountDto(created, email.Trim(), role))
            : Problems.Conflict($"An account with the email '{email.Trim()}' already exists.");
    }
}
