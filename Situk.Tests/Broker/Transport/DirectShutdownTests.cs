using System.Diagnostics;
using Situk.Contracts;
using Situk.Tests.Support;

namespace Situk.Tests.Broker.Transport;

[Description("SIGTERM on a real broker process: every device on the direct path is closed with 1001, the broker waits for "
    + "each close handshake (devices here answer a second late), and the process exits within CloseTimeoutSeconds + 2 s "
    + "(docs/broker.md, \"Shutdown\").")]
[NonParallelizable]
public sealed class DirectShutdownTests
{
    private const int Devices = 1000;

    /// <summary>The documented bound with CloseTimeoutSeconds at its default (5 s).</summary>
    private static readonly TimeSpan ExitBound = TimeSpan.FromSeconds(5 + 2);

    /// <summary>How long each device takes to answer the broker's close: well inside CloseTimeoutSeconds.</summary>
    private static readonly TimeSpan AnswerDelay = TimeSpan.FromSeconds(1);

    [Test]
    public async Task Sigterm_closes_a_thousand_direct_devices_with_1001_and_exits_within_the_bound()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        // The broker's line for each session it saw to its end, with the code it ended with.
        await using var broker = ChildProcesses.Broker(new Dictionary<string, string> { ["Logging:LogLevel:Situk.Broker.Devices"] = "Information" });
        await broker.Process.StartAsync(cts.Token);
        var devices = await ChildBrokerDevices.ConnectAsync(broker, "leaving", Devices, cts.Token);
        try
        {
            var closes = devices.Select(d => AnswerCloseLateAsync(d, cts.Token)).ToArray();
            var stopping = Stopwatch.StartNew();
            broker.Process.Terminate();
            var exitCode = await broker.Process.WaitForExitAsync(cts.Token);
            var exited = stopping.Elapsed;
            var codes = await Task.WhenAll(closes);

            Assert.Multiple(() =>
            {
                Assert.That(codes.Count(c => c != CloseCodes.GoingAway), Is.Zero, "devices not closed with 1001: " + string.Join(",", codes.Distinct()));
                Assert.That(
                    broker.Process.Output.Count(line => line.Contains("closed with 1001", StringComparison.Ordinal)),
                    Is.EqualTo(Devices),
                    "sessions the broker saw through their close handshake before it exited");
                Assert.That(exited, Is.LessThan(ExitBound), "exit after SIGTERM");
                Assert.That(exitCode, Is.Zero);
            });
        }
        finally
        {
            foreach (var device in devices)
            {
                device.Dispose();
            }
        }
    }

    /// <summary>Reads until the broker's close frame, waits <see cref="AnswerDelay"/>, answers it; the broker's code.</summary>
    private static async Task<int> AnswerCloseLateAsync(System.Net.WebSockets.ClientWebSocket device, CancellationToken ct)
    {
        try
        {
            while (await device.ReceiveMessageAsync(ct) is not null)
            {
            }

            await Task.Delay(AnswerDelay, ct);
            await device.CloseOutputAsync(System.Net.WebSockets.WebSocketCloseStatus.NormalClosure, "", ct);
        }
        catch (System.Net.WebSockets.WebSocketException)
        {
            // The broker went away before the answer: its code (if it sent one) still says how it closed.
        }

        return (int?)device.CloseStatus ?? 1006;
    }
}
