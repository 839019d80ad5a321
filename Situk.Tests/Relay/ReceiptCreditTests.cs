using Situk.Api.Relay;

namespace Situk.Tests.Relay;

[Description("The API's receipt credit: what it holds plus what it granted and the broker has not used never passes the window.")]
public sealed class ReceiptCreditTests
{
    [Test]
    public void A_link_is_granted_the_window_and_stored_receipts_are_granted_again()
    {
        var credit = new ReceiptCredit(10, TimeProvider.System);
        Assert.That(credit.Open(), Is.EqualTo(10));

        credit.Arrived(6);
        credit.Stored(4);
        Assert.Multiple(() =>
        {
            Assert.That(credit.Held, Is.EqualTo(2));
            Assert.That(credit.TakeOwed(), Is.EqualTo(4));
            Assert.That(credit.TakeOwed(), Is.Zero, "given back once");
        });
    }

    [Test]
    [Description("A new link gets the window less what the last one left unstored; credit owed to the last link is void.")]
    public void A_new_link_is_granted_what_the_last_one_left_room_for()
    {
        var credit = new ReceiptCredit(10, TimeProvider.System);
        credit.Open();
        credit.Arrived(10);
        credit.Stored(3);

        Assert.Multiple(() =>
        {
            Assert.That(credit.Open(), Is.EqualTo(3), "seven still held");
            Assert.That(credit.TakeOwed(), Is.Zero, "the three stored are in the new grant already");
        });

        credit.Stored(7);
        Assert.That(credit.TakeOwed(), Is.EqualTo(7));
    }
}
