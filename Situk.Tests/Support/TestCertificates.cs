using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Situk.Tests.Support;

/// <summary>
/// A private certificate authority in a temporary folder, as PEM files: the authority itself (<see cref="CaFile"/>), a server
/// certificate for 127.0.0.1 and localhost, and a client certificate, both signed by it. Deleted on dispose.
/// </summary>
public sealed class TestCertificates : IDisposable
{
    private TestCertificates(string folder) => Folder = folder;

    public string Folder { get; }

    public string CaFile => Path.Combine(Folder, "ca.pem");

    public string ServerCertFile => Path.Combine(Folder, "server.pem");

    public string ServerKeyFile => Path.Combine(Folder, "server-key.pem");

    public string ClientCertFile => Path.Combine(Folder, "client.pem");

    public string ClientKeyFile => Path.Combine(Folder, "client-key.pem");

    public static TestCertificates Create()
    {
        var folder = Directory.CreateTempSubdirectory("situk-certs-").FullName;
        var certificates = new TestCertificates(folder);
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=Situk test authority", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        // One clock reading, in whole seconds as a certificate stores it, for the authority and what it
        // issues: a certificate may not outlive its issuer, and two readings a second apart made the
        // issued one end a second after the authority.
        var now = DateTimeOffset.UtcNow;
        var notBefore = new DateTimeOffset(now.Ticks - now.Ticks % TimeSpan.TicksPerSecond, TimeSpan.Zero).AddMinutes(-5);
        var notAfter = notBefore.AddDays(1);
        using var ca = caRequest.CreateSelfSigned(notBefore, notAfter);
        File.WriteAllText(certificates.CaFile, ca.ExportCertificatePem());

        Issue(ca, notBefore, notAfter, "CN=127.0.0.1", serverAuth: true, certificates.ServerCertFile, certificates.ServerKeyFile);
        Issue(ca, notBefore, notAfter, "CN=situk-test-client", serverAuth: false, certificates.ClientCertFile, certificates.ClientKeyFile);
        return certificates;
    }

    public void Dispose() => Directory.Delete(Folder, recursive: true);

    private static void Issue(
        X509Certificate2 ca, DateTimeOffset notBefore, DateTimeOffset notAfter, string subject, bool serverAuth, string certFile, string keyFile)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [serverAuth ? new Oid("1.3.6.1.5.5.7.3.1") : new Oid("1.3.6.1.5.5.7.3.2")], false));
        if (serverAuth)
        {
            var names = new SubjectAlternativeNameBuilder();
            names.AddIpAddress(IPAddress.Loopback);
            names.AddDnsName("localhost");
            request.CertificateExtensions.Add(names.Build());
        }

        using var certificate = request.Create(ca, notBefore, notAfter, RandomNumberGenerator.GetBytes(16));
        File.WriteAllText(certFile, certificate.ExportCertificatePem());
        File.WriteAllText(keyFile, key.ExportPkcs8PrivateKeyPem());
    }
}
