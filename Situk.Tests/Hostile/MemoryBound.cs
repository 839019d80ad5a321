namespace Situk.Tests.Hostile;

/// <summary>
/// The managed heap of the test process (where the in-process broker and API live) after a full
/// collection. Hostile traffic may cost memory while it lasts; afterwards growth must stay under a
/// generous bound, or something kept what it should have let go.
/// </summary>
internal static class MemoryBound
{
    /// <summary>Far above what a test's own objects need, far below a leak of every hostile frame or connection.</summary>
    public const long GenerousBytes = 64L * 1024 * 1024;

    public static long Measure()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    public static void AssertGrowthBounded(long before, string what)
    {
        var growth = Measure() - before;
        Assert.That(growth, Is.LessThan(GenerousBytes), $"managed heap grew by {growth / 1024} KiB after {what}");
    }
}
