using System.Diagnostics;
using System.Globalization;

namespace QTickets.Benchmarks;

/// <summary>
/// bench/ratio-parse.sh: the module's parse + convert of the genuine orders page against the System.Text.Json floor,
/// in one process, in rounds that run every side once, and the ratio taken per round: parse + convert's time over the
/// floor's time in the same round (the two run next to each other, first one then the other), the median of those
/// ratios printed last. The medians of each side over all rounds are printed too, with their ratio to the floor's.
/// <para>
/// Why per round: the machines here run for seconds at a time at one of two speeds (a round of the floor took 17 µs
/// an order, or 28), and a median over all rounds of each side lands in either state; the ratio of two such medians
/// moved from 1.28 to 1.64 between three runs of the same build. Within a round both sides see the same state.
/// </para>
/// Quicker than the BenchmarkDotNet run of the same methods and coarser; those methods are
/// <see cref="ParseAndConvertBenchmarks"/>'s, so both measure the same code.
/// </summary>
public static class ParseRatio
{
    const int OrdersPerPage = 50;

    public static void Run(int rounds, int pagesPerRound)
    {
        var b = new ParseAndConvertBenchmarks();
        b.Setup();
        var sides = new (string Name, Func<int> Body)[]
        {
            ("floor: STJ into a minimal class", b.Floor),
            ("parse + convert to SalesRow", b.Convert),
            ("parse into Order", b.Parse),
            ("the page's JsonDocument only", b.Document),
        };
        // Warm-up: JIT and tiering of every side. By time, not by count: tiered compilation promotes a method some 100 ms
        // after its 30th call, in the background, and a side still on its first code looked slow in the first rounds.
        var warm = Stopwatch.StartNew();
        while (warm.Elapsed < TimeSpan.FromSeconds(3)) foreach (var s in sides) Time(s.Body, pagesPerRound);
        var micros = sides.Select(_ => new List<double>()).ToArray();
        for (var r = 0; r < rounds; r++)
        {
            // Floor and parse + convert side by side, in turn first, so neither always runs on the other's leftovers.
            int[] order = r % 2 == 0 ? [0, 1, 2, 3] : [1, 0, 3, 2];
            var times = new double[sides.Length];
            foreach (var i in order) times[i] = Time(sides[i].Body, pagesPerRound);
            for (var i = 0; i < sides.Length; i++) micros[i].Add(times[i]);
        }
        var floor = Median(micros[0]);
        Console.WriteLine($"{rounds} rounds of {pagesPerRound} pages ({pagesPerRound * OrdersPerPage} orders) per side; median per order:");
        foreach (var i in new[] { 0, 3, 2, 1 })
        {
            var median = Median(micros[i]);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {sides[i].Name,-34} {median,8:0.00} µs  (rounds {micros[i].Min():0.00}..{micros[i].Max():0.00})  {Allocated(sides[i].Body),7:0} B allocated  {median / floor,5:0.00}x floor"));
        }
        var perRound = micros[1].Zip(micros[0], (ours, theirs) => ours / theirs).ToList();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  parse + convert ÷ floor, per round: median {Median(perRound):0.00} (quartiles {Quantile(perRound, 0.25):0.00}..{Quantile(perRound, 0.75):0.00}); of the sides' medians: {Median(micros[1]) / floor:0.00}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ratio {Median(perRound):0.00}"));
    }

    /// <summary>
    /// One side (floor, document, parse or convert) run alone for <paramref name="seconds"/>, so that a profiler
    /// (`perf record -g`, BENCHMARKS.md "Parse and convert") sees only its code.
    /// </summary>
    public static void Loop(string side, int seconds)
    {
        var b = new ParseAndConvertBenchmarks();
        b.Setup();
        Func<int> body = side switch
        {
            "floor" => b.Floor,
            "document" => b.Document,
            "parse" => b.Parse,
            "convert" => b.Convert,
            _ => throw new ArgumentException($"No side '{side}': floor, document, parse or convert."),
        };
        var until = Stopwatch.GetTimestamp() + seconds * Stopwatch.Frequency;
        var pages = 0;
        while (Stopwatch.GetTimestamp() < until)
        {
            body();
            pages++;
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{side}: {pages} pages, {seconds * 1e6 / (pages * OrdersPerPage):0.00} µs per order"));
    }

    /// <summary>Microseconds per order over <paramref name="pages"/> pages.</summary>
    static double Time(Func<int> body, int pages)
    {
        var sink = 0;
        var started = Stopwatch.GetTimestamp();
        for (var p = 0; p < pages; p++) sink += body();
        var elapsed = Stopwatch.GetElapsedTime(started);
        if (sink < 0) Console.WriteLine(sink);
        return elapsed.TotalMicroseconds / (pages * OrdersPerPage);
    }

    static double Allocated(Func<int> body)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var p = 0; p < 20; p++) body();
        return (GC.GetAllocatedBytesForCurrentThread() - before) / (20.0 * OrdersPerPage);
    }

    static double Median(List<double> values) => Quantile(values, 0.5);

    /// <summary>The q-quantile, interpolated between the two nearest values.</summary>
    static double Quantile(List<double> values, double q)
    {
        var sorted = values.Order().ToList();
        var at = q * (sorted.Count - 1);
        var below = (int)Math.Floor(at);
        return below + 1 < sorted.Count ? sorted[below] + (at - below) * (sorted[below + 1] - sorted[below]) : sorted[below];
    }
}
