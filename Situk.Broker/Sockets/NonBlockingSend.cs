using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Situk.Broker.Sockets;

/// <summary>
/// One <c>send(2)</c> with <c>MSG_DONTWAIT</c> on Linux: writes what the kernel takes now and says exactly how
/// much. <see cref="Socket.Send(ReadOnlySpan{byte}, SocketFlags, out SocketError)"/> cannot be used for this: on a
/// non-blocking socket, a send the kernel took only part of reports <see cref="SocketError.WouldBlock"/> and 0
/// bytes, and the part already on the wire would be written again. The socket stays in .NET's own mode, so
/// its asynchronous reads and writes work as before.
/// </summary>
internal static partial class NonBlockingSend
{
    /// <summary><c>MSG_DONTWAIT</c>: this call does not wait for room.</summary>
    private const int DontWait = 0x40;

    /// <summary><c>MSG_NOSIGNAL</c>: a peer that has gone is an error here, not a <c>SIGPIPE</c>.</summary>
    private const int NoSignal = 0x4000;

    private const int Again = 11; // EAGAIN = EWOULDBLOCK
    private const int Interrupted = 4; // EINTR

    /// <summary>Where the flags and error numbers above hold.</summary>
    public static bool Supported => OperatingSystem.IsLinux();

    /// <summary>Bytes the kernel took (0 when its send buffer is full); throws <see cref="IOException"/> when the socket failed.</summary>
    public static int Send(SafeSocketHandle handle, ReadOnlySpan<byte> bytes)
    {
        var added = false;
        handle.DangerousAddRef(ref added); // a socket disposed meanwhile throws here, and its descriptor number is never reused under us
        try
        {
            while (true)
            {
                var sent = SysSend((int)handle.DangerousGetHandle(), bytes, bytes.Length, DontWait | NoSignal);
                if (sent >= 0)
                {
                    return (int)sent;
                }

                var error = Marshal.GetLastPInvokeError();
                if (error == Again)
                {
                    return 0;
                }

                if (error != Interrupted)
                {
                    throw new IOException("The device socket failed: " + Marshal.GetPInvokeErrorMessage(error));
                }
            }
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "send", SetLastError = true)]
    private static partial nint SysSend(int socket, ReadOnlySpan<byte> buffer, nint length, int flags);
}
