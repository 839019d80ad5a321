using System.Text;
using System.Text.Json;
using Situk.Broker.Devices;
using Situk.Contracts;

namespace Situk.Tests.Broker.Devices;

[Description("The ack frame's reader without the serializer: it takes the shape clients send and leaves everything else to the "
    + "serializer, so the broker accepts and refuses exactly what it did before, with the same ids and delays.")]
public sealed class AckFrameReaderTests
{
    [TestCase("""{"type":"ack","ids":[42]}""")]
    [TestCase("""{"type":"ack","ids":[1,2,3],"delays":[0,17,20]}""")]
    [TestCase(""" { "type" : "ack" , "ids" : [ 9223372036854775807 , -5 ] } """)]
    [TestCase("""{"type":"ack","ids":[]}""")]
    [TestCase("""{"type":"ack","ids":[7],"delays":[-1]}""")]
    [TestCase("""{"type":"ack","ids":[7,8],"delays":[1]}""")]
    [Description("What clients send is read here, and read exactly as the serializer reads it (the checks on counts and signs come after, for both).")]
    public void The_common_shape_is_read_as_the_serializer_reads_it(string json)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        var fast = AckFrameReader.TryRead(bytes);
        var slow = (AckFrame)JsonSerializer.Deserialize(bytes, SitukJson.Default.DeviceFrame)!;

        Assert.That(fast, Is.Not.Null);
        Assert.Multiple(() =>
        {
            Assert.That(fast!.Ids, Is.EqualTo(slow.Ids));
            Assert.That(fast.Delays, Is.EqualTo(slow.Delays));
        });
    }

    [TestCase("""{"ids":[1],"type":"ack"}""", Description = "type not first")]
    [TestCase("""{"type":"ack","ids":["1"]}""", Description = "an id as a string")]
    [TestCase("""{"type":"ack","ids":[1.5]}""", Description = "a fraction")]
    [TestCase("""{"type":"ack","ids":[99999999999999999999]}""", Description = "past a long")]
    [TestCase("""{"type":"ack","ids":[1],"delays":[3000000000]}""", Description = "a delay past an int")]
    [TestCase("""{"type":"ack","ids":[1],"delays":null}""", Description = "delays null")]
    [TestCase("""{"type":"ack","ids":[1],"delays":[1],"extra":1}""", Description = "an unknown property")]
    [TestCase("""{"type":"ack","ids":[1],"ids":[2]}""", Description = "a property twice")]
    [TestCase("""{"type":"ack","IDS":[1]}""", Description = "another casing")]
    [TestCase("""{"type":"read","ids":[1]}""", Description = "another frame")]
    [TestCase("""{"type":"ack","ids":[1]} x""", Description = "trailing bytes")]
    [TestCase("""{"type":"ack","ids":[1]""", Description = "cut short")]
    [TestCase("""{"type":"ack","ids":[1,]}""", Description = "a trailing comma")]
    [TestCase("""{"type":"\u0061ck","ids":[7]}""", Description = "an escape in the type")]
    [TestCase("""{"type":"\ud800ack","ids":[7]}""", Description = "a lone surrogate escape in the type")]
    [TestCase("""{"type":"ack","\u0069ds":[7]}""", Description = "an escape in a name")]
    [TestCase("""[1]""", Description = "not an object")]
    [TestCase("", Description = "empty")]
    [Description("Anything else, valid or not, goes to the serializer, which decides as it always has.")]
    public void Every_other_shape_is_left_to_the_serializer(string json) =>
        Assert.That(AckFrameReader.TryRead(Encoding.UTF8.GetBytes(json)), Is.Null);
}
