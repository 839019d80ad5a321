namespace Situk.Broker.Options;

/// <summary>
/// <c>Situk:Jwt</c>: how device tokens are checked. The API signs with the same values: HMAC-SHA256
/// over the UTF-8 bytes of <see cref="SigningKey"/>, <c>sub</c> = user id, <c>role</c>, <c>exp</c>.
/// </summary>
public sealed class JwtOptions
{
    public const string Section = "Situk:Jwt";

    /// <summary>HMAC-SHA256 key; its UTF-8 encoding must be at least 32 bytes. Required.</summary>
    public string SigningKey { get; set; } = "";

    /// <summary>Expected <c>iss</c>. Default <c>situk</c>.</summary>
    public string Issuer { get; set; } = "situk";

    /// <summary>Expected <c>aud</c>. Default <c>situk</c>.</summary>
    public string Audience { get; set; } = "situk";
}
