using System.Text.Json;
using System.Text.Json.Nodes;
using Situk.Api.Notifications;
using Situk.Contracts;

namespace Situk.Tests.Notifications;

[Description("The stored size of a notification's device frame (payload_bytes) is the frame's size, its data counted as text rather than parsed and written again.")]
public sealed class FrameBytesTests
{
    // A 10-digit id and a microsecond-precision time, as the estimate assumes.
    private static readonly DateTimeOffset At = new DateTimeOffset(2026, 12, 6, 9, 30, 0, TimeSpan.Zero).AddTicks(6_543_210);

    [TestCase(null)]
    [TestCase("""{"from":42}""")]
    [TestCase("""{"registrationId":1234567,"status":"competent","scheme":"Junior Web Developer","nested":{"a":[1,2.5,true,null]}}""")]
    [TestCase("""{"place":"TUK Sewaktu — Lab Komputer Lt. 2","note":"\"kutip\" & <tag>"}""")]
    public void The_estimate_is_the_size_of_the_frame_the_device_is_sent(string? dataJson)
    {
        var data = dataJson is null ? null : JsonNode.Parse(dataJson)!.AsObject();
        var n = new NewNotification(7, NotificationKinds.AdminMessage, "Jadwal uji kompetensi berubah", "Asesmen dipindah ke pukul 13.00 WIB.", "/schedules/12", data);
        var text = data?.ToJsonString();

        using var parsed = text is null ? null : JsonDocument.Parse(text);
        DeviceFrame sent = new NotificationFrame(1_234_567_890, n.Kind, "Jadwal uji kompetensi berubah", "Asesmen dipindah ke pukul 13.00 WIB.", n.Link, parsed?.RootElement, At, At);
        var actual = JsonSerializer.SerializeToUtf8Bytes(sent, SitukJson.Default.DeviceFrame).Length;

        Assert.That(NotificationWriter.FrameBytes(n, "Jadwal uji kompetensi berubah", "Asesmen dipindah ke pukul 13.00 WIB.", text), Is.EqualTo(actual));
    }
}
