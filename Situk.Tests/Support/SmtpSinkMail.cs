using MimeKit;

namespace Situk.Tests.Support;

/// <summary>Waiting for one email in an <see cref="SmtpSink"/>.</summary>
public static class SmtpSinkMail
{
    /// <summary>The newest message to <paramref name="address"/> with this subject, waiting up to 30 s for it.</summary>
    public static async Task<MimeMessage> MailToAsync(this SmtpSink smtp, string address, string subject)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            var mail = smtp.Messages.LastOrDefault(m => m.Subject == subject && m.To.Mailboxes.Any(b => b.Address == address.ToLowerInvariant()));
            if (mail is not null)
            {
                return mail;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"No '{subject}' email to {address} within 30 s.");
    }
}
