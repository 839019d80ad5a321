using Situk.Broker.Limits;

namespace Situk.Tests.Broker.Limits;

[Description("The shares of the socket budget: devices first, then a small room only for 503 answers, and room the internal listener always keeps.")]
public sealed class SocketBudgetShareTests
{
    [Test]
    public void Devices_cannot_take_the_refusal_room_and_nothing_on_the_device_listener_takes_the_internal_room()
    {
        var budget = new SocketBudget(openFileLimit: 1000, openAtStart: 200);
        Assert.That(budget.Capacity, Is.EqualTo(1000 - 200 - SocketBudget.LaterFiles));

        var devices = 0;
        while (budget.TryTakeDevice())
        {
            devices++;
        }

        var refusals = 0;
        while (budget.TryTakeRefusal())
        {
            refusals++;
        }

        Assert.Multiple(() =>
        {
            Assert.That(devices, Is.EqualTo(budget.Capacity - SocketBudget.InternalRoom - SocketBudget.RefusalRoom));
            Assert.That(refusals, Is.EqualTo(SocketBudget.RefusalRoom));
            Assert.That(budget.DeviceListenerHasRoom, Is.False, "the device listener stops accepting");
        });

        for (var i = 0; i < SocketBudget.InternalRoom; i++)
        {
            Assert.That(budget.TryTakeInternal(), Is.True, "the internal listener's room is still there");
        }

        Assert.That(budget.TryTakeInternal(), Is.False, "and nothing past the whole budget");
        budget.Release();
        Assert.That(budget.TryTakeInternal(), Is.True, "a closed socket frees its slot");
    }
}
