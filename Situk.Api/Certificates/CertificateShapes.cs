using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;

namespace Situk.Api.Certificates;

/// <summary>Where a certificate stands at a given moment; computed, never stored.</summary>
public static class CertificateStatus
{
    public const string Valid = "valid";
    public const string Expired = "expired";
    public const string Revoked = "revoked";

    public static readonly IReadOnlyList<string> All = [Valid, Expired, Revoked];

    /// <summary>The status as SQL over <c>c</c> at <c>@now</c>: revoked wins over expired.</summary>
    public const string Sql = "CASE WHEN c.revoked_at IS NOT NULL THEN 'revoked' WHEN c.expires_at <= @now THEN 'expired' ELSE 'valid' END";
}

/// <summary>
/// The public answer of <c>GET /certificates/{number}</c>: what an employer needs to trust a certificate,
/// and nothing that identifies the holder beyond the printed name (no ids, email or identity number).
/// </summary>
public sealed record CertificateCheckDto(
    string Number,
    string Status,
    string HolderName,
    string SchemeName,
    DateTimeOffset IssuedAt,
    DateTimeOffset ExpiresAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? RevokedAt);

/// <summary>A certificate as its holder and admins see it (lists, revocation answer).</summary>
public sealed record CertificateDto(
    long Id,
    string Number,
    string Status,
    long RegistrationId,
    long SchemeId,
    string SchemeName,
    long HolderId,
    string HolderName,
    DateTimeOffset IssuedAt,
    DateTimeOffset ExpiresAt,
    DateTimeOffset? RevokedAt,
    string? RevocationReason);

/// <summary>A page of certificates by id; <c>Next</c> is the <c>after</c> of the next page, null on the last.</summary>
public sealed record CertificatePage(CertificateDto[] Items, long? Next);

/// <summary>Body of <c>POST /certificates/{number}/revocation</c>: why, told to the holder.</summary>
public sealed record RevocationRequest([Required, StringLength(2000, MinimumLength = 1)] string Reason);
