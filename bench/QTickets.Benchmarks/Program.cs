using System.Globalization;
using BenchmarkDotNet.Running;

// `gen-tsv <path> <rows> [payload-bytes]`: the rows file of bench/write-vs-curl.sh; `ratio-parse [rounds] [pages]`:
// bench/ratio-parse.sh; `parse-loop <side> [seconds]`: one side of it alone, for a profiler; anything else: BenchmarkDotNet.
if (args is ["gen-tsv", var path, var rows, ..])
{
    var payload = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 512;
    QTickets.Benchmarks.SalesRowTsv.Generate(path, int.Parse(rows, CultureInfo.InvariantCulture), payload);
    return;
}
if (args is ["ratio-parse", ..])
{
    QTickets.Benchmarks.ParseRatio.Run(
        args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 15,
        args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 40);
    return;
}
if (args is ["parse-loop", var side, ..])
{
    QTickets.Benchmarks.ParseRatio.Loop(side, args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 20);
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(QTickets.Benchmarks.ParseAndConvertBenchmarks).Assembly).Run(args);
