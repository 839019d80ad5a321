using HdrHistogram;

namespace Situk.Bench.Load.Soak;

/// <summary>
/// One reading of the broker and the fleet, <see cref="Seconds"/> into the steady phase. Gauges are the
/// values at that moment; <see cref="Published"/>, <see cref="Delivered"/> and <see cref="Delays"/> cover
/// the interval since the previous sample. <see cref="GcHeapBytes"/> is the managed heap after the last
/// full collection, so it changes only when one happens (<see cref="FullCollections"/> counts them).
/// </summary>
internal sealed record SoakSample(
    double Seconds,
    long RssBytes,
    long GcHeapBytes,
    long FullCollections,
    int Handles,
    int Threads,
    long Connections,
    int DevicesOpen,
    long Sheds,
    long Drops,
    int Published,
    long Delivered,
    LongHistogram Delays);
