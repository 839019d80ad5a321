using System.Net.WebSockets;
using Situk.Contracts;

namespace Situk.Client;

public sealed partial class SitukDeviceClient
{
    /// <summary>Acks notifications the application has shown (when <see cref="SitukClientOptions.AutoAck"/> is off), at once.</summary>
    /// <returns>False when no socket is open; the ids are then acked by the next sync's re-delivery.</returns>
    public Task<bool> AckAsync(IReadOnlyCollection<long> ids, CancellationToken cancellationToken) =>
        SendIdsAsync(ids, chunk => new AckFrame(chunk), cancellationToken);

    /// <summary>Tells Situk the person read these here: stored, and sent on to the user's other devices.</summary>
    /// <returns>False when no socket is open (mark them read through REST instead).</returns>
    public Task<bool> MarkReadAsync(IReadOnlyCollection<long> ids, CancellationToken cancellationToken) =>
        SendIdsAsync(ids, chunk => new ReadFrame(chunk), cancellationToken);

    private async Task<bool> SendIdsAsync(IReadOnlyCollection<long> ids, Func<long[], DeviceFrame> frame, CancellationToken cancellationToken)
    {
        var socket = _socket;
        if (socket is null || socket.State != WebSocketState.Open || ids.Count == 0)
        {
            return false;
        }

        foreach (var chunk in ids.Chunk(AckChunk))
        {
            if (!await SendFrameAsync(socket, frame(chunk), cancellationToken))
            {
                return false;
            }
        }

        return true;
    }
}
