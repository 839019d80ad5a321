using System.Text;
using Situk.Broker.Devices;

namespace Situk.Tests.Broker.Devices;

[Description("What the direct path takes as a device upgrade; everything else it leaves to the HTTP pipeline.")]
public sealed class UpgradeRequestTests
{
    private const string Valid =
        "GET /ws?device=ios&access_token=a%2Bb HTTP/1.1\r\nHost: 127.0.0.1:5080\r\nUpgrade: websocket\r\nConnection: keep-alive, Upgrade\r\n"
        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nOrigin: https://situk.example\r\nAuthorization: Bearer t0k\r\n\r\n";

    [Test]
    public void A_device_upgrade_is_read_with_its_token_class_and_origin_and_answered_per_rfc_6455()
    {
        var request = UpgradeRequest.TryParse(Bytes(Valid));

        Assert.That(request, Is.Not.Null);
        Assert.Multiple(() =>
        {
            Assert.That(request!.AccessToken, Is.EqualTo("a+b"));
            Assert.That(request.Device, Is.EqualTo("ios"));
            Assert.That(request.Origin, Is.EqualTo("https://situk.example"));
            Assert.That(request.Authorization, Is.EqualTo("Bearer t0k"));
            Assert.That(request.AcceptKey(), Is.EqualTo("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="), "RFC 6455's own example");
        });
    }

    [TestCase("GET /ws?", "POST /ws?", TestName = "Another method")]
    [TestCase("GET /ws?device=ios&access_token=a%2Bb HTTP/1.1", "GET /wsx HTTP/1.1", TestName = "Another path")]
    [TestCase("GET /ws?device=ios&access_token=a%2Bb HTTP/1.1", "GET /ws/ HTTP/1.1", TestName = "A path with a trailing slash")]
    [TestCase("HTTP/1.1\r\nHost", "HTTP/1.0\r\nHost", TestName = "HTTP/1.0")]
    [TestCase("Host: 127.0.0.1:5080\r\n", "", TestName = "No Host")]
    [TestCase("Upgrade: websocket", "Upgrade: h2c", TestName = "Upgrade to another protocol")]
    [TestCase("Connection: keep-alive, Upgrade", "Connection: keep-alive", TestName = "Connection without upgrade")]
    [TestCase("Sec-WebSocket-Version: 13", "Sec-WebSocket-Version: 8", TestName = "An old version")]
    [TestCase("dGhlIHNhbXBsZSBub25jZQ==", "c2hvcnQ=", TestName = "A key of 5 bytes")]
    [TestCase("dGhlIHNhbXBsZSBub25jZQ==", "not base64 at all!!!!!!!", TestName = "A key that is not base64")]
    [TestCase("Origin: https://situk.example\r\n", "Origin: https://situk.example\r\nOrigin: https://other.example\r\n", TestName = "A header twice")]
    [TestCase("Origin: https://situk.example\r\n", "Content-Length: 5\r\n", TestName = "A body")]
    [TestCase("Origin: https://situk.example\r\n", "Transfer-Encoding: chunked\r\n", TestName = "A chunked body")]
    [TestCase("Origin: https://situk.example\r\n", "Origin : https://situk.example\r\n", TestName = "A space before the colon")]
    [TestCase("Origin: https://situk.example\r\n", "No colon here\r\n", TestName = "A line without a colon")]
    [TestCase("Bearer t0k", "Bearer t\u00f6k", TestName = "A byte that is not ASCII")]
    [TestCase("Bearer t0k", "Bearer t\u00010k", TestName = "A control byte")]
    [TestCase("Origin: https://situk.example\r\n", "Origin: https://situk.example\nX-Smuggled: 1\r\n", TestName = "A bare LF inside a header line")]
    [TestCase("Origin: https://situk.example\r\n", "Origin: https://situk.example\rX-Smuggled: 1\r\n", TestName = "A bare CR inside a header line")]
    [TestCase("HTTP/1.1\r\nHost", "HTTP/1.1\nHost", TestName = "A bare LF ending the request line")]
    [TestCase("Origin: https://situk.example\r\n", "Or(gin: https://situk.example\r\n", TestName = "A separator in a header name")]
    [TestCase("Origin: https://situk.example\r\n", "Or\"igin: https://situk.example\r\n", TestName = "A quote in a header name")]
    [TestCase("Origin: https://situk.example\r\n", "X-Ok/No: 1\r\nOrigin: https://situk.example\r\n", TestName = "A slash in a header name")]
    public void Anything_else_is_left_to_the_http_pipeline(string from, string to)
    {
        var changed = Valid.Replace(from, to, StringComparison.Ordinal);
        Assert.That(changed, Is.Not.EqualTo(Valid), "the case changes the valid request");
        Assert.That(UpgradeRequest.TryParse(Bytes(changed)), Is.Null);
    }

    [Test]
    public void A_head_over_the_limit_is_left_to_kestrel()
    {
        var padded = Valid.Replace("\r\n\r\n", "\r\nX-Pad: " + new string('a', UpgradeRequest.MaxHeadBytes) + "\r\n\r\n", StringComparison.Ordinal);
        Assert.That(UpgradeRequest.TryParse(Bytes(padded)), Is.Null);
    }

    [TestCase("", true)]
    [TestCase("GE", true)]
    [TestCase("GET /ws", true)]
    [TestCase("GET /ws?", true)]
    [TestCase("GET /ws HTTP/1.1\r\nHo", true)]
    [TestCase("GET / HTTP/1.1", false)]
    [TestCase("GET /wsx", false)]
    [TestCase("GET /healthz", false)]
    [TestCase("POST", false)]
    [TestCase("\u0016\u0003\u0001", false)]
    public void The_first_bytes_say_at_once_whether_to_wait_for_more(string start, bool could)
    {
        Assert.That(UpgradeRequest.CouldBe(Bytes(start)), Is.EqualTo(could));
    }

    [Test]
    public void The_head_ends_with_its_blank_line_and_what_follows_is_not_part_of_it()
    {
        var bytes = Bytes(Valid + "\u0081\u0080");

        Assert.That(UpgradeRequest.HeadLength(bytes), Is.EqualTo(Valid.Length));
        Assert.That(UpgradeRequest.HeadLength(bytes[..(Valid.Length - 1)]), Is.Null, "one byte short of the blank line");
    }

    private static byte[] Bytes(string text) => Encoding.Latin1.GetBytes(text);
}
