using System.Diagnostics;
using System.Globalization;

namespace QTickets.Benchmarks;

/// <summary>
/// bench/ratio-parse.sh: the module's parse + convert of the genuine orders page against the System.Text.Json floor,
/// in one process, in alternating rounds (a machine whose load changes during the run slows both sides alike), the
/// median round of each side compared. Quicker than the BenchmarkDotNet run of the same methods and coarser; those
/// methods are <see cref="ParseAndConvertBenchmarks"/>'s, so both measure the same code.
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
            ("the page's JsonDocument only", b.Document),
            ("parse into Order", b.Parse),
            ("parse + convert to SalesRow", b.Convert),
        };
        // Warm-up: JIT and tiering of every side.
        for (var i = 0; i < 3; i++) foreach (var s in sides) Time(s.Body, pagesPerRound);
        var micros = sides.Select(_ => new List<double>()).ToArray();
        for (var r = 0; r < rounds; r++)
            for (var i = 0; i < sides.Length; i++)
                micros[i].Add(Time(sides[i].Body, pagesPerRound));
        var floor = Median(micros[0]);
        Console.WriteLine($"{rounds} rounds of {pagesPerRound} pages ({pagesPerRound * OrdersPerPage} orders) per side; median per order:");
        for (var i = 0; i < sides.Length; i++)
        {
            var median = Median(micros[i]);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {sides[i].Name,-34} {median,8:0.00} µs  (rounds {micros[i].Min():0.00}..{micros[i].Max():0.00})  {Allocated(sides[i].Body),7:0} B allocated  {median / floor,5:0.00}x floor"));
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ratio {Median(micros[^1]) / floor:0.00}"));
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

    static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
