using System.ComponentModel.DataAnnotations;

namespace Situk.Api.Schemes;

/// <summary>
/// Body of <c>POST</c>/<c>PUT /schemes</c>: a certification scheme and its whole tree.
/// <paramref name="ValidityYears"/>: how long its certificates are valid, 1–10 years; omitted, 3 on
/// create and unchanged on replace.
/// </summary>
public sealed record SchemeRequest(
    [Required, StringLength(50, MinimumLength = 1)] string Code,
    [Required, StringLength(200, MinimumLength = 1)] string Name,
    [Required, MinLength(1), MaxLength(200)] List<UnitRequest> Units,
    [Range(1, 10)] int? ValidityYears = null);

public sealed record UnitRequest(
    [Required, StringLength(50, MinimumLength = 1)] string Code,
    [Required, StringLength(300, MinimumLength = 1)] string Title,
    [Required, MinLength(1), MaxLength(200)] List<ElementRequest> Elements);

public sealed record ElementRequest(
    [Required, StringLength(300, MinimumLength = 1)] string Title,
    [Required, MinLength(1), MaxLength(200)] List<CriterionRequest> Criteria);

public sealed record CriterionRequest(
    [Required, StringLength(1000, MinimumLength = 1)] string Text);

/// <summary>A scheme with every id filled in.</summary>
public sealed record SchemeDto(long Id, string Code, string Name, IReadOnlyList<UnitDto> Units, int ValidityYears = 3);

public sealed record UnitDto(long Id, string Code, string Title, IReadOnlyList<ElementDto> Elements);

public sealed record ElementDto(long Id, string Title, IReadOnlyList<CriterionDto> Criteria);

public sealed record CriterionDto(long Id, string Text);

/// <summary>One line of <c>GET /schemes</c>.</summary>
public sealed record SchemeSummaryDto(long Id, string Code, string Name, int CriteriaCount, int ValidityYears);
