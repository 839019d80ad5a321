namespace Situk.Tests.Faults;

/// <summary>Bounded waits for a state the system reaches by itself; they bound a hang, they never measure speed.</summary>
internal static class Eventually
{
    /// <summary>Asks <paramref name="probe"/> until it returns true or <paramref name="timeout"/> passes; returns the last answer.</summary>
    public static async Task<bool> WaitAsync(Func<Task<bool>> probe, TimeSpan timeout, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (await probe() || DateTime.UtcNow > deadline)
            {
                return await probe();
            }

            await Task.Delay(100, ct);
        }
    }

    /// <summary>Asks <paramref name="probe"/> until it returns an empty list (or the time is up); returns the last list, for the assertion.</summary>
    public static async Task<List<T>> WaitAsync<T>(Func<Task<List<T>>> probe, TimeSpan timeout, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var left = await probe();
            if (left.Count == 0 || DateTime.UtcNow > deadline)
            {
                return left;
            }

            await Task.Delay(250, ct);
        }
    }
}
