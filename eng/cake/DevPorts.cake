// The ports `Up` binds, checked before anything starts: a port another program holds (often another
// checkout's `Up`) is named with the variable that moves it, instead of a part failing later with
// its reason in a log file.

using System.Net;
using System.Net.Sockets;

public static class DevPorts
{
    public sealed record Port(int Number, string What, string Variable, IPAddress Address);

    public static Port Postgres(int number) => new(number, "PostgreSQL", "SITUK_DEV_PG_PORT", IPAddress.Loopback);

    /// <summary>Every port of the development system; <paramref name="pg"/> null when an outside database is used.</summary>
    public static IReadOnlyList<Port> Of(int api, int device, int @internal, int smtp, int mailWeb, int? pg)
    {
        var ports = new List<Port>
        {
            new(api, "the REST API", "SITUK_DEV_API_PORT", IPAddress.Any),
            new(device, "the broker's device listener", "SITUK_DEV_DEVICE_PORT", IPAddress.Any),
            new(@internal, "the broker's internal listener", "SITUK_DEV_INTERNAL_PORT", IPAddress.Loopback),
            new(smtp, "the mail catcher's SMTP", "SITUK_DEV_SMTP_PORT", IPAddress.Loopback),
            new(mailWeb, "the mail catcher's web page", "SITUK_DEV_MAIL_PORT", IPAddress.Loopback),
        };
        if (pg is { } number) ports.Add(Postgres(number));
        return ports;
    }

    /// <summary>Throws, naming each port that is taken or given twice and how to move it.</summary>
    public static void EnsureFree(IReadOnlyList<Port> ports)
    {
        var twice = ports.GroupBy(p => p.Number).Where(g => g.Count() > 1).ToList();
        if (twice.Count > 0)
        {
            throw new Exception(string.Join(Environment.NewLine, twice.Select(g =>
                $"Port {g.Key} is given to {string.Join(" and ", g.Select(p => $"{p.What} ({p.Variable})"))}; give each its own.")));
        }

        var taken = ports.Where(p => !IsFree(p)).ToList();
        if (taken.Count > 0) throw new Exception(TakenMessage(taken));
    }

    public static string TakenMessage(IEnumerable<Port> taken)
    {
        var lines = taken.Select(p => $"  port {p.Number} ({p.What}) is already in use{Holder(p.Number)}; move it with {p.Variable}").ToList();
        var example = string.Join(" ", taken.Select((p, i) => $"{p.Variable}={FreeSuggestion(p, i)}"));
        return "Situk cannot start: " + Environment.NewLine + string.Join(Environment.NewLine, lines) + Environment.NewLine
            + "Stop what holds it (another checkout's Up: Ctrl-C in its terminal, or its own ./build.sh --target=Down)," + Environment.NewLine
            + "or move this one, e.g." + Environment.NewLine
            + $"  {example} ./build.sh --target=Up";
    }

    // Bound the way the part binds (with SO_REUSEADDR, as Kestrel and PostgreSQL do), so a closed
    // connection still in TIME_WAIT does not count and any listener on the port does.
    private static bool IsFree(Port port)
    {
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.Bind(new IPEndPoint(port.Address, port.Number));
            socket.Listen(1);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    // A port the system picks as free right now, offered only as an example.
    private static int FreeSuggestion(Port port, int salt)
    {
        for (var candidate = port.Number + 100 + salt; candidate < Math.Min(65536, port.Number + 1000); candidate += 7)
        {
            if (IsFree(port with { Number = candidate })) return candidate;
        }
        return port.Number + 100 + salt;
    }

    // Which program listens there, when `ss` can tell (it names other users' processes only to root).
    private static string Holder(int port)
    {
        try
        {
            var start = new System.Diagnostics.ProcessStartInfo("ss", $"-ltnpH sport = :{port}") { RedirectStandardOutput = true, RedirectStandardError = true };
            using var ss = System.Diagnostics.Process.Start(start)!;
            var output = ss.StandardOutput.ReadToEnd();
            ss.WaitForExit();
            var users = System.Text.RegularExpressions.Regex.Match(output, "users:\\(\\(\"([^\"]+)\",pid=(\\d+)");
            return users.Success ? $" by {users.Groups[1].Value} (pid {users.Groups[2].Value})" : "";
        }
        catch (Exception)
        {
            return "";
        }
    }
}
