using Microsoft.Extensions.Options;
using MimeKit;

namespace Situk.Api.Relay;

/// <summary>Checks that data annotations cannot express; runs at start (ValidateOnStart).</summary>
internal sealed class RelayOptionsValidation : IValidateOptions<RelayOptions>, IValidateOptions<SmtpOptions>
{
    public ValidateOptionsResult Validate(string? name, RelayOptions options)
    {
        var errors = new List<string>();
        if (!Uri.TryCreate(options.BrokerInternalUrl, UriKind.Absolute, out var url) || url.Scheme is not ("ws" or "wss"))
        {
            errors.Add("Situk:Api:BrokerInternalUrl must be an absolute ws:// or wss:// URL.");
        }

        if (string.IsNullOrWhiteSpace(options.InternalKey))
        {
            errors.Add("Situk:Broker:InternalKey is required (the key the broker expects on its internal socket).");
        }

        if (options.ReconnectMaxDelay < options.ReconnectBaseDelay || options.RetryMaxDelay < options.RetryBaseDelay)
        {
            errors.Add("Situk:Relay: each maximum delay must be at least its base delay.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    public ValidateOptionsResult Validate(string? name, SmtpOptions options)
    {
        if (!MailboxAddress.TryParse(options.From, out _))
        {
            return ValidateOptionsResult.Fail("Situk:Smtp:From must be a mail address, e.g. \"SITUK <noreply@lsp.example>\".");
        }

        return options.RetryMaxDelay < options.RetryBaseDelay
            ? ValidateOptionsResult.Fail("Situk:Smtp:RetryMaxDelay must be at least RetryBaseDelay.")
            : ValidateOptionsResult.Success;
    }
}
