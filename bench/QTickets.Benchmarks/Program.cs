using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(QTickets.Benchmarks.ParseAndConvertBenchmarks).Assembly).Run(args);
