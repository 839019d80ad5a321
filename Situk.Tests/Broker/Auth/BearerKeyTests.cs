using Situk.Broker.Auth;

namespace Situk.Tests.Broker.Auth;

[Description("The shared-key check of /admin/*, /metrics and /internal: exact key only, constant time, nothing allocated per call.")]
public sealed class BearerKeyTests
{
    private const string Key = "situk-test-admin-key-0123456789abcdef";

    [TestCase("Bearer " + Key, true)]
    [TestCase("bearer " + Key, true)]
    [TestCase("BEARER   " + Key + "  ", true)]
    [TestCase("Bearer " + Key + "x", false)]
    [TestCase("Bearer " + "situk-test-admin-key-0123456789abcdeX", false)]
    [TestCase("Bearer situk-test-admin-key", false)]
    [TestCase("Bearer ", false)]
    [TestCase("Basic " + Key, false)]
    [TestCase(Key, false)]
    [TestCase("", false)]
    [TestCase(null, false)]
    public void Only_the_exact_key_behind_the_bearer_scheme_matches(string? header, bool matches) =>
        Assert.That(BearerKey.Matches(header, Key), Is.EqualTo(matches));

    [Test]
    public void An_empty_expected_key_matches_nothing() =>
        Assert.That(BearerKey.Matches("Bearer ", ""), Is.False);

    [TestCase("kunci-rahasia-ßüé-🔑-0123456789")]
    [TestCase("a-key-longer-than-the-stack-buffer-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")]
    [Description("Keys are compared as UTF-8 bytes: non-ASCII keys and keys past the stack buffer work, and one changed character fails.")]
    public void Non_ascii_and_long_keys_are_compared_byte_for_byte(string key)
    {
        var changed = key[..^1] + (key[^1] == 'x' ? 'y' : 'x');
        Assert.Multiple(() =>
        {
            Assert.That(BearerKey.Matches("Bearer " + key, key), Is.True);
            Assert.That(BearerKey.Matches("Bearer " + changed, key), Is.False);
        });
    }

    [Test]
    [Description("Every management call and API link checks a key: the check must not allocate (it hashed both keys into new arrays before).")]
    public void Checking_a_key_allocates_nothing()
    {
        var right = "Bearer " + Key;
        var wrong = "Bearer " + Key[..^1] + "X";
        BearerKey.Matches(right, Key);
        BearerKey.Matches(wrong, Key);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            BearerKey.Matches(right, Key);
            BearerKey.Matches(wrong, Key);
        }

        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero);
    }
}
