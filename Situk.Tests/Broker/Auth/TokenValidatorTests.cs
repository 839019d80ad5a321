using Microsoft.Extensions.Time.Testing;
using Situk.Broker.Auth;
using Situk.Broker.Options;
using Situk.Contracts;
using Situk.Tests.Support;
using MsOptions = Microsoft.Extensions.Options.Options;

namespace Situk.Tests.Broker.Auth;

public sealed class TokenValidatorTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 3, 1, 8, 0, 0, TimeSpan.Zero));

    [Test]
    public async Task Valid_token_yields_the_user_role_and_expiry()
    {
        var tokens = new TestTokens(time: _clock);
        var (identity, _) = await Validator().ValidateAsync(tokens.Issue("42", Roles.Asesor, TimeSpan.FromMinutes(30)));
        Assert.That(identity, Is.EqualTo(new DeviceIdentity("42", Roles.Asesor, _clock.GetUtcNow().AddMinutes(30))));
    }

    [Test]
    [Description("No clock skew: a token is refused from the second its exp passes, by the broker's TimeProvider.")]
    public async Task Token_is_refused_once_the_clock_passes_exp()
    {
        var token = new TestTokens(time: _clock).Issue("42", lifetime: TimeSpan.FromMinutes(1));
        var validator = Validator();
        _clock.Advance(TimeSpan.FromSeconds(61));
        var (identity, problem) = await validator.ValidateAsync(token);
        Assert.Multiple(() =>
        {
            Assert.That(identity, Is.Null);
            Assert.That(problem, Is.EqualTo("expired token"));
        });
    }

    [TestCase(null)]
    [TestCase("")]
    [TestCase("abc")]
    [TestCase("a.b.c")]
    public async Task Garbage_is_refused_without_throwing(string? token)
    {
        var (identity, _) = await Validator().ValidateAsync(token);
        Assert.That(identity, Is.Null);
    }

    private TokenValidator Validator() =>
        new(MsOptions.Create(new JwtOptions { SigningKey = TestTokens.DefaultSigningKey }), _clock);
}
