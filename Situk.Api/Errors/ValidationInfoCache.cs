#pragma warning disable ASP0029 // Microsoft.Extensions.Validation marks its resolver interface as open to change.
using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using Microsoft.Extensions.Validation;

namespace Situk.Api.Errors;

/// <summary>
/// Request validation's description of a type, built once. The resolver that validation's source generator writes
/// builds a new description of a body's type, with one for each of its properties, every time a request is validated,
/// and each new description walks the type's base types and interfaces again; a type's description never changes.
/// Every resolver of <see cref="ValidationOptions"/> is wrapped in one that keeps its answer per type, as the
/// framework's own reflection-based resolver keeps its descriptions. What is valid and what a refusal says is
/// unchanged: the descriptions are the same objects, built by the same resolvers, only not again.
/// </summary>
internal static class ValidationInfoCache
{
    public static IServiceCollection RememberValidationInfo(this IServiceCollection services) =>
        services.PostConfigure<ValidationOptions>(options =>
        {
            for (var i = 0; i < options.Resolvers.Count; i++)
            {
                if (options.Resolvers[i] is not Remembering)
                {
                    options.Resolvers[i] = new Remembering(options.Resolvers[i]);
                }
            }
        });

    /// <summary>One resolver's answers per type: as many entries as the application has validated types.</summary>
    internal sealed class Remembering(IValidatableInfoResolver inner) : IValidatableInfoResolver
    {
        private readonly ConcurrentDictionary<Type, IValidatableInfo?> _types = new();

        public bool TryGetValidatableTypeInfo(Type type, [NotNullWhen(true)] out IValidatableInfo? validatableInfo)
        {
            validatableInfo = _types.GetOrAdd(type, static (t, resolver) => resolver.TryGetValidatableTypeInfo(t, out var info) ? info : null, inner);
            return validatableInfo is not null;
        }

        // Asked once per endpoint parameter, when the endpoint is built.
        public bool TryGetValidatableParameterInfo(ParameterInfo parameterInfo, [NotNullWhen(true)] out IValidatableInfo? validatableInfo) =>
            inner.TryGetValidatableParameterInfo(parameterInfo, out validatableInfo);
    }
}
