using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using Situk.Api.Hosting;
using Situk.Contracts;

namespace Situk.Api.Auth;

/// <summary>Bearer tokens (the ones <see cref="TokenIssuer"/> makes), refresh tokens and their sweeper, and one policy per role set.</summary>
public static class AuthSetup
{
    public const string Admin = "admin";
    public const string AdminOrAsesor = "admin-or-asesor";
    public const string Asesi = "asesi";
    public const string Asesor = "asesor";

    public static IServiceCollection AddSitukAuth(this IServiceCollection services)
    {
        services.AddSingleton<TokenIssuer>();
        services.AddOptions<RefreshTokenOptions>().BindConfiguration(RefreshTokenOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<RefreshTokenStore>();
        services.AddSingleton<RefreshTokenSweeper>();
        services.AddHostedService(sp => sp.GetRequiredService<RefreshTokenSweeper>());
        services.AddSingleton<RememberedTokens>();
        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<IOptions<JwtOptions>, RememberedTokens>((bearer, jwtOptions, remembered) =>
            {
                var jwt = jwtOptions.Value;
                bearer.TokenHandlers.Clear();
                bearer.TokenHandlers.Add(remembered); // the platform's handler, remembering valid tokens until they expire
                bearer.MapInboundClaims = false;
                bearer.SaveToken = false; // nothing reads the token back from the authentication properties
                bearer.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidIssuer = jwt.Issuer,
                    ValidAudience = jwt.Audience,
                    IssuerSigningKey = TokenIssuer.SigningKey(jwt),
                    ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
                    RequireExpirationTime = true,
                    ClockSkew = TimeSpan.FromSeconds(30),
                    NameClaimType = "sub",
                    RoleClaimType = "role",
                };
            });
        services.AddAuthorizationBuilder()
            .AddPolicy(Admin, p => p.RequireRole(Roles.Admin))
            .AddPolicy(AdminOrAsesor, p => p.RequireRole(Roles.Admin, Roles.Asesor))
            .AddPolicy(Asesi, p => p.RequireRole(Roles.Asesi))
            .AddPolicy(Asesor, p => p.RequireRole(Roles.Asesor));
        return services;
    }
}
