using System.Diagnostics;
using Situk.Contracts;
using Situk.Tests.Support;

namespace Situk.Tests.Broker.Transport;

[Description("SIGTERM on a real broker process: every device on the direct path is closed with 1001 and the process "
    + "exits within CloseTimeoutSeconds + 2 s (docs/broker.md, \"Shutdown\").")]
[NonParallelizable]
public sealed class DirectShutdownTests
{
    private const int Devices = 1000;

    /// <summary>The documented bound with CloseTimeoutSeconds at its default (5 s).</summary>
    private static readonly TimeSpan ExitBound = TimeSpan.FromSeconds(5 + 2);

    [Test]
    public async Task Sigterm_closes_a_thousand_direct_devices_with_1001_and_exits_within_the_bound()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await using var broker = ChildProcesses.Broker();
        await broker.Process.StartAsync(cts.Token);
        var devices = await ChildBrokerDevices.ConnectAsync(broker, "leaving", Devices, cts.Token);
        try
        {
            var closes = devices.Select(d => d.ReceiveCloseAsync(cts.Token)).ToArray();
            var stopping = Stopwatch.StartNew();
            broker.Process.Terminate();
            var exitCode = await broker.Process.WaitForExitAsync(cts.Token);
            var exited = stopping.Elapsed;
            var codes = await Task.WhenAll(closes);

            Assert.Multiple(() =>
            {
                Assert.That(codes.Count(c => c != CloseCodes.GoingAway), Is.Zero, "devices not closed with 1001: " + string.Join(",", codes.Distinct()));
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
}
