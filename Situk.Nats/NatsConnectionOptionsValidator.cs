using Microsoft.Extensions.Options;

namespace Situk.Nats;

/// <summary>Refuses to start a process whose <c>Situk:Nats</c> cannot work, naming each problem (<see cref="NatsConnectionOptions.Problems"/>).</summary>
public sealed class NatsConnectionOptionsValidator<TOptions> : IValidateOptions<TOptions>
    where TOptions : NatsConnectionOptions
{
    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        var problems = options.Problems().ToList();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
