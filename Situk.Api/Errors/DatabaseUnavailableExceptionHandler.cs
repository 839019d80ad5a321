using System.Net.Sockets;
using Microsoft.AspNetCore.Diagnostics;
using Npgsql;

namespace Situk.Api.Errors;

/// <summary>
/// PostgreSQL unreachable, restarting or shutting down: answer 503 problem+json with Retry-After
/// rather than a 500. The transaction did not commit, so nothing was stored and the client may retry.
/// </summary>
public sealed partial class DatabaseUnavailableExceptionHandler(IProblemDetailsService problems, ILogger<DatabaseUnavailableExceptionHandler> logger) : IExceptionHandler
{
    // Seconds a client should wait before retrying; a restarting PostgreSQL is back within a few.
    private const int RetryAfterSeconds = 5;

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (!IsUnavailable(exception))
        {
            return false;
        }

        LogUnavailable(logger, httpContext.Request.Method, httpContext.Request.Path, exception.GetType().Name);
        httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        httpContext.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var details = new Microsoft.AspNetCore.Mvc.ProblemDetails { Status = StatusCodes.Status503ServiceUnavailable };
        Problems.Describe(details, "server.database_unavailable", null, ("seconds", RetryAfterSeconds));
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, Exception = exception, ProblemDetails = details });
    }

    /// <summary>Connection refused or lost, a server shutting down or starting up, a connection-class error (08xxx).</summary>
    public static bool IsUnavailable(Exception exception) => exception switch
    {
        PostgresException pg => pg.SqlState.StartsWith("08", StringComparison.Ordinal) || pg.SqlState is "57P01" or "57P02" or "57P03",
        NpgsqlException npgsql => npgsql.IsTransient || npgsql.InnerException is SocketException or IOException or TimeoutException,
        _ => exception.InnerException is { } inner && IsUnavailable(inner),
    };

    [LoggerMessage(EventId = 210, Level = LogLevel.Warning, Message = "Database unavailable during {Method} {Path} ({Error}): answered 503")]
    private static partial void LogUnavailable(ILogger logger, string method, PathString path, string error);
}
