using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Situk.Broker.Auth;

/// <summary>Reads bearer credentials and compares shared keys in constant time.</summary>
internal static class BearerKey
{
    private const string Prefix = "Bearer ";

    /// <summary>Keys up to this many UTF-8 bytes are compared on the stack; longer ones in a pooled buffer.</summary>
    private const int StackBytes = 256;

    /// <summary>The bearer token of the <c>Authorization</c> header, or null.</summary>
    public static string? FromHeader(HttpRequest request) => FromHeader(request.Headers[HeaderNames.Authorization].ToString());

    /// <summary>The bearer token of an <c>Authorization</c> header's value, or null.</summary>
    public static string? FromHeader(string? header) =>
        header is not null && header.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) ? header[Prefix.Length..].Trim() : null;

    /// <summary>True when the request presents exactly <paramref name="expected"/>; the time taken does not depend on where they differ.</summary>
    public static bool Matches(HttpRequest request, string expected) =>
        Matches(request.Headers[HeaderNames.Authorization].ToString(), expected);

    /// <summary>
    /// True when <paramref name="header"/> is <c>Bearer &lt;expected&gt;</c>. Called on every management request and
    /// every API link, so it allocates nothing and hashes nothing: both keys as UTF-8 on the stack, compared with
    /// <see cref="CryptographicOperations.FixedTimeEquals"/> over the expected key's length. A key of another length
    /// is not encoded at all and the expected key is compared with itself instead, so the time depends only on the
    /// two lengths, never on the expected key's bytes or where a wrong key first differs.
    /// </summary>
    public static bool Matches(string? header, string expected)
    {
        if (header is null || expected.Length == 0 || !header.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var presented = header.AsSpan(Prefix.Length).Trim();
        var length = Encoding.UTF8.GetByteCount(expected);
        var sameLength = Encoding.UTF8.GetByteCount(presented) == length;
        byte[]? rented = null;
        var buffer = 2 * length <= StackBytes ? stackalloc byte[StackBytes] : (rented = ArrayPool<byte>.Shared.Rent(2 * length));
        try
        {
            var want = buffer[..length];
            var got = buffer.Slice(length, length);
            Encoding.UTF8.GetBytes(expected, want);
            Encoding.UTF8.GetBytes(sameLength ? presented : expected, got);
            return CryptographicOperations.FixedTimeEquals(want, got) & sameLength;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(buffer[..(2 * length)]);
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }
}
