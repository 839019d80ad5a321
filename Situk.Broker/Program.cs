// Situk.Broker: the WebSocket push broker. Everything is assembled in BrokerApp:
//   Hosting/   two Kestrel listeners (devices 5080, internal 5081), limits, graceful shutdown
//   Devices/   GET /ws — token, origin and capacity checks, then one session per socket
//   Sessions/  the registry of sessions by user and role; Fanout/ serialise once, queue to many
//   Internal/  GET /internal — API links: publish in, receipts and presence out
//   Admin/     management endpoints and /metrics; Telemetry/ the Situk.Broker meter
using Situk.Broker;

var app = BrokerApp.Build(args);
app.Run();
