namespace Situk.Nats;

/// <summary>
/// <c>Situk:Nats</c>, the part every process that joins the cluster reads the same way: where the NATS servers are, who
/// this process is to them, and how it proves it. Without <see cref="Url"/> there is no cluster. At most one way to
/// sign in: a user and password, a token, an NKey seed file or a credentials file (JWT and seed, NATS's decentralised
/// accounts); a user, password or token inside the URL also works. TLS: <c>tls://</c> URLs or <see cref="TlsRequired"/>
/// refuse a server that does not speak it; <see cref="TlsCaFile"/> names the authority that signed the server's
/// certificate, <see cref="TlsCertFile"/> and <see cref="TlsKeyFile"/> this process's own, for a server that verifies clients.
/// </summary>
public class NatsConnectionOptions
{
    public const string Section = "Situk:Nats";

    /// <summary>
    /// The NATS server, e.g. <c>nats://127.0.0.1:4222</c>, or several servers of one NATS cluster, comma-separated
    /// (<c>nats://10.0.0.1:4222,nats://10.0.0.2:4222,nats://10.0.0.3:4222</c>): the first is this process's home, the
    /// others are where it fails over to (<see cref="NatsConnectionSettings"/>). Empty (the default): no cluster.
    /// </summary>
    public string? Url { get; set; }

    /// <summary>This process's connection name on the NATS server (its monitoring pages show it); default: the kind of process, host name and process id.</summary>
    public string? Name { get; set; }

    /// <summary>The user of the server's <c>authorization</c> block; with <see cref="Password"/>.</summary>
    public string? User { get; set; }

    public string? Password { get; set; }

    /// <summary>The server's <c>authorization { token }</c>.</summary>
    public string? Token { get; set; }

    /// <summary>A file holding this process's NKey seed (<c>SU…</c>), for a server that lists its public key.</summary>
    public string? NKeyFile { get; set; }

    /// <summary>A <c>.creds</c> file (user JWT and NKey seed) issued by the operator's account, for decentralised auth.</summary>
    public string? CredsFile { get; set; }

    /// <summary>PEM of the authority that signed the servers' certificates; default: the machine's trusted roots.</summary>
    public string? TlsCaFile { get; set; }

    /// <summary>PEM certificate of this process, for a server that verifies its clients (<c>verify: true</c>); with <see cref="TlsKeyFile"/>.</summary>
    public string? TlsCertFile { get; set; }

    public string? TlsKeyFile { get; set; }

    /// <summary>Refuse a server that does not offer TLS, whatever the URLs' scheme (<c>tls://</c> URLs do so already).</summary>
    public bool TlsRequired { get; set; }

    /// <summary>What is wrong with these settings, one sentence each; empty when they are usable. Checked at start.</summary>
    public IEnumerable<string> Problems()
    {
        if (string.IsNullOrWhiteSpace(Url))
        {
            yield break;
        }

        var ways = new[] { User is not null || Password is not null, Token is not null, NKeyFile is not null, CredsFile is not null }.Count(set => set);
        if (ways > 1)
        {
            yield return "Situk:Nats: set one way to sign in (User and Password, Token, NKeyFile or CredsFile), not several.";
        }

        if ((User is null) != (Password is null))
        {
            yield return "Situk:Nats:User and Situk:Nats:Password go together.";
        }

        if ((TlsCertFile is null) != (TlsKeyFile is null))
        {
            yield return "Situk:Nats:TlsCertFile and Situk:Nats:TlsKeyFile go together.";
        }

        foreach (var (key, path) in new[] { ("NKeyFile", NKeyFile), ("CredsFile", CredsFile), ("TlsCaFile", TlsCaFile), ("TlsCertFile", TlsCertFile), ("TlsKeyFile", TlsKeyFile) })
        {
            if (path is not null && !File.Exists(path))
            {
                yield return $"Situk:Nats:{key}: no file at {path}.";
            }
        }
    }
}
