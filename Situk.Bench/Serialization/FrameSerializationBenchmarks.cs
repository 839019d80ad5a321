using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Situk.Contracts;

namespace Situk.Bench.Serialization;

/// <summary>
/// The broker serialises each notification once per publish and parses every device ack: both are on
/// the hot path. Payload sizes follow the delivery benchmarks (64 B … 64 KiB of body).
/// </summary>
[MemoryDiagnoser]
public class FrameSerializationBenchmarks
{
    private NotificationFrame _frame = null!;
    private byte[] _ack = null!;

    [Params(64, 1024, 16 * 1024, 64 * 1024)]
    public int PayloadBytes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var now = new DateTimeOffset(2026, 11, 28, 0, 0, 0, TimeSpan.Zero);
        _frame = new PushNotification(123456, NotificationKinds.VerdictCompetent, "Hasil uji kompetensi",
            new string('x', PayloadBytes), "/registrations/42", null, now).ToFrame(now);
        _ack = JsonSerializer.SerializeToUtf8Bytes<DeviceFrame>(new AckFrame([1, 2, 3, 4, 5, 6, 7, 8]), SitukJson.Default.DeviceFrame);
    }

    [Benchmark(Description = "notification frame → UTF-8 (once per publish)")]
    public byte[] SerializeNotification() => JsonSerializer.SerializeToUtf8Bytes<DeviceFrame>(_frame, SitukJson.Default.DeviceFrame);

    [Benchmark(Description = "ack frame ← UTF-8 (once per device ack)")]
    public DeviceFrame? ParseAck() => JsonSerializer.Deserialize(_ack, SitukJson.Default.DeviceFrame);
}
