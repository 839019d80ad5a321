using Microsoft.AspNetCore.Identity;

namespace Situk.Api.Auth;

/// <summary>ASP.NET Core Identity's password hashing (PBKDF2, versioned format), without the rest of Identity.</summary>
public static class Passwords
{
    private static readonly PasswordHasher<object> Hasher = new();
    private static readonly object User = new();

    /// <summary>A hash of a password no one knows, verified against when the email is unknown so timing tells nothing.</summary>
    private static readonly string DecoyHash = Hasher.HashPassword(User, Guid.NewGuid().ToString());

    public static string Hash(string password) => Hasher.HashPassword(User, password);

    /// <summary>True when <paramref name="password"/> matches; a null hash still costs one verification.</summary>
    public static bool Verify(string? hash, string password) =>
        Hasher.VerifyHashedPassword(User, hash ?? DecoyHash, password) != PasswordVerificationResult.Failed && hash is not null;
}
