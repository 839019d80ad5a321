using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Situk.Broker;
using Situk.Broker.Options;

namespace Situk.Tests.Broker.Hosting;

[Description("Configuration is checked when the broker starts, not when the first device connects.")]
public sealed class OptionsValidationTests
{
    [Test]
    public async Task Broker_refuses_to_start_with_a_short_signing_key_or_missing_keys()
    {
        await using var app = BrokerApp.Build([], c => c.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Situk:Jwt:SigningKey"] = "too-short",
            ["Situk:Broker:DeviceUrl"] = "http://127.0.0.1:0",
            ["Situk:Broker:InternalUrl"] = "http://127.0.0.1:0",
        }));
        var error = Assert.CatchAsync(() => app.StartAsync());
        Assert.Multiple(() =>
        {
            Assert.That(error, Is.InstanceOf<OptionsValidationException>().Or.InstanceOf<AggregateException>());
            Assert.That(error!.Message, Does.Contain("SigningKey"));
            Assert.That(error.Message, Does.Contain("AdminKey"));
            Assert.That(error.Message, Does.Contain("InternalKey"));
        });
    }

    [Test]
    [Description("The inbound limits must make sense: a bucket that admits frames, a share the backlog can hold, a byte bound a frame fits in.")]
    public void Inbound_and_link_limits_that_make_no_sense_are_refused()
    {
        var result = new BrokerOptionsValidator().Validate(null, new BrokerOptions
        {
            InternalKey = "k",
            AdminKey = "a",
            InboundFrameBurst = 0,
            AckMemory = 0,
            ReceiptShare = 2000,
            ReceiptBacklog = 1000,
            InternalQueueBytes = 1024,
        });
        Assert.Multiple(() =>
        {
            Assert.That(result.Failed, Is.True);
            Assert.That(result.FailureMessage, Does.Contain("InboundFrameBurst"));
            Assert.That(result.FailureMessage, Does.Contain("AckMemory"));
            Assert.That(result.FailureMessage, Does.Contain("ReceiptBacklog at least ReceiptShare"));
            Assert.That(result.FailureMessage, Does.Contain("InternalQueueBytes"));
        });
        Assert.That(new BrokerOptionsValidator().Validate(null, new BrokerOptions { InternalKey = "k", AdminKey = "a" }).Succeeded, Is.True, "the defaults");
    }

    [TestCase("http://0.0.0.0:5080", "0.0.0.0:5080")]
    [TestCase("http://127.0.0.1:0", "127.0.0.1:0")]
    [TestCase("http://localhost:5081", "127.0.0.1:5081")]
    [TestCase("http://*:5080", "0.0.0.0:5080")]
    [TestCase("http://[::1]:5081", "[::1]:5081")]
    public void Listener_urls_become_endpoints(string url, string endPoint)
    {
        Assert.That(ListenUrl.TryParse(url, out var parsed), Is.True);
        Assert.That(parsed!.ToString(), Is.EqualTo(endPoint));
    }

    [TestCase("https://0.0.0.0:5080")]
    [TestCase("5080")]
    [TestCase("")]
    public void Other_urls_are_refused(string url) => Assert.That(ListenUrl.TryParse(url, out _), Is.False);
}
