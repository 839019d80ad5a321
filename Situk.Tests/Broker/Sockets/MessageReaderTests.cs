using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using Situk.Broker.Sockets;
using Situk.Tests.Support;

namespace Situk.Tests.Broker.Sockets;

[Description("Whole inbound messages over a real loopback socket: small ones in the first buffer, larger ones in a grown one, "
    + "never past the limit.")]
public sealed class MessageReaderTests
{
    [Test]
    [Description("A binary message is reported as soon as it starts and its payload is then read past, so the next read sees "
        + "what follows it (the peer's answer to the close it caused), not the same binary message again.")]
    public async Task A_binary_or_oversized_message_is_skipped_and_the_next_one_is_read()
    {
        using var cts = Timeouts.Generous();
        var (server, client) = await PairAsync(cts.Token);
        using (server)
        using (client)
        {
            using var reader = new MessageReader(server, 16);
            await client.SendAsync(new byte[] { 1, 2, 3 }, WebSocketMessageType.Binary, endOfMessage: true, cts.Token);
            await client.SendAsync(new byte[100], WebSocketMessageType.Text, endOfMessage: true, cts.Token);
            await client.SendAsync("ok"u8.ToArray(), WebSocketMessageType.Text, endOfMessage: true, cts.Token);
            await client.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", cts.Token);

            Assert.That(await reader.ReadAsync(cts.Token), Is.EqualTo(InboundKind.Binary));
            Assert.That(await reader.ReadAsync(cts.Token), Is.EqualTo(InboundKind.TooBig));
            Assert.That(await reader.ReadAsync(cts.Token), Is.EqualTo(InboundKind.Text));
            Assert.That(reader.Message.ToArray(), Is.EqualTo("ok"u8.ToArray()));
            Assert.That(await reader.ReadAsync(cts.Token), Is.EqualTo(InboundKind.Close));
        }
    }

    [Test]
    public async Task Messages_of_every_size_up_to_the_limit_arrive_whole_and_one_past_it_is_too_big()
    {
        using var cts = Timeouts.Generous();
        const int Limit = 1 << 20;
        var (server, client) = await PairAsync(cts.Token);
        using (server)
        using (client)
        {
            using var reader = new MessageReader(server, Limit);
            foreach (var size in new[] { 10, MessageReader.FirstBytes, MessageReader.FirstBytes + 1, 100_000, Limit })
            {
                var sent = new byte[size];
                Random.Shared.NextBytes(sent);
                for (var i = 0; i < sent.Length; i++)
                {
                    sent[i] = (byte)('a' + (sent[i] % 26)); // valid UTF-8 text
                }

                await client.SendAsync(sent, WebSocketMessageType.Text, endOfMessage: true, cts.Token);
                Assert.That(await reader.ReadAsync(cts.Token), Is.EqualTo(InboundKind.Text), $"{size} bytes");
                Assert.That(reader.Message.ToArray(), Is.EqualTo(sent), $"{size} bytes arrive whole");
            }

            await client.SendAsync(new byte[Limit + 1], WebSocketMessageType.Text, endOfMessage: true, cts.Token);
            Assert.That(await reader.ReadAsync(cts.Token), Is.EqualTo(InboundKind.TooBig));
        }
    }

    private static async Task<(WebSocket Server, WebSocket Client)> PairAsync(CancellationToken cancellationToken)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var connecting = new TcpClient();
        await connecting.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port, cancellationToken);
        var accepted = await listener.AcceptTcpClientAsync(cancellationToken);
        return (
            WebSocket.CreateFromStream(accepted.GetStream(), new WebSocketCreationOptions { IsServer = true }),
            WebSocket.CreateFromStream(connecting.GetStream(), new WebSocketCreationOptions { IsServer = false }));
    }
}
