#:project ../../Situk.Client/Situk.Client.csproj
// Part of eng/cluster-smoke.sh: N devices of one user on the broker URL the sign-in answer names (the
// local cluster's load balancer), each with the real .NET client. Prints "ready" once every device is
// welcomed, then waits for a notification titled <title> on every device, over the socket (not the
// inbox sync), and exits 0; exits 1 when one did not get it within the timeout.
// Usage: dotnet run Listen.cs -- <broker ws URL> <access token> <devices> <title> <timeout seconds>
using Situk.Client;

var brokerUrl = new Uri(args[0]);
var token = args[1];
var devices = int.Parse(args[2]);
var title = args[3];
using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(int.Parse(args[4])));

var clients = new List<SitukDeviceClient>();
for (var i = 0; i < devices; i++)
{
    var client = new SitukDeviceClient(new SitukClientOptions
    {
        BrokerUrl = brokerUrl,
        TokenProvider = _ => ValueTask.FromResult(token),
        DeviceId = $"smoke-{i + 1}",
    });
    client.Start();
    clients.Add(client);
}
foreach (var client in clients) await client.WaitForStateAsync(ClientState.Open, timeout.Token);
for (var i = 0; i < clients.Count; i++) Console.WriteLine($"device {i + 1}: connected, session {clients[i].SessionId}");
Console.WriteLine("ready");

var failed = 0;
for (var i = 0; i < clients.Count; i++)
{
    try
    {
        while (true)
        {
            var notification = await clients[i].Notifications.ReadAsync(timeout.Token);
            if (notification.Title != title) continue;
            var via = notification.Synced ? "the inbox sync" : "its socket";
            Console.WriteLine($"device {i + 1}: notification {notification.Id} \"{notification.Title}\" via {via}");
            if (notification.Synced) failed++;
            break;
        }
    }
    catch (OperationCanceledException)
    {
        Console.WriteLine($"device {i + 1}: nothing titled \"{title}\" arrived in time");
        failed++;
    }
}
foreach (var client in clients) await client.DisposeAsync();
return failed == 0 ? 0 : 1;
