using System.Buffers;
using System.Text;
using Situk.Broker.Cluster;
using Situk.Contracts;

namespace Situk.Tests.Cluster;

public sealed class ClusterSubjectTests
{
    [TestCase("42", "situk.user.42")]
    [TestCase("user_7-b", "situk.user.user_7-b")]
    [TestCase("a.b", "situk.user.x612e62")]
    [TestCase("*", "situk.user.x2a")]
    [TestCase(">", "situk.user.x3e")]
    [TestCase("a b", "situk.user.x612062")]
    [TestCase("", "situk.user.x")]
    [Description("A token's sub becomes exactly one subject token: dots, wildcards and spaces can never reach another user's subject or many at once.")]
    public void A_user_id_is_always_one_subject_token(string userId, string subject) =>
        Assert.That(ClusterSubjects.User(userId), Is.EqualTo(subject));

    [Test]
    [Description("The broker reads its four headers from the raw NATS header block, whatever their case.")]
    public void The_broker_reads_id_priority_kind_and_excepted_session_from_the_header_block()
    {
        var block = new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(
            "NATS/1.0\r\nSitUK-Kind: read\r\nSituk-Id: 123\r\nSituk-Priority: high\r\nSituk-Except-Session: 0193abc\r\n\r\n"));

        var values = ClusterHeaderValues.Parse(block);

        Assert.That(values, Is.EqualTo(new ClusterHeaderValues(IsRead: true, Id: 123, Priority.High, "0193abc")));
        Assert.That(ClusterHeaderValues.Parse(null), Is.EqualTo(new ClusterHeaderValues(false, 0, Priority.Normal, null)));
    }
}
