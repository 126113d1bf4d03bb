using Backchannel.Bench;

// One benchmark per run: its name, then its options. bench/run.sh runs them all; bench/README.md says what each does.
var benchmarks = new Dictionary<string, Func<Args, Task>>
{
    ["ceiling"] = a => Ceiling.MeasureAsync(a.Int("--clients", 16), a.Int("--seconds", 15)),
    ["throughput"] = Throughput.RunAsync,
    ["lag"] = ProjectionLag.RunAsync,
    ["push"] = PushDelay.RunAsync,
    ["scale"] = Scale.RunAsync,
    ["hot-room"] = HotRoom.RunAsync,
    ["long-thread"] = LongThread.RunAsync,
    ["writepath"] = WritePath.RunAsync,
    ["copy-rows"] = CopyRows.RunAsync,
};
if (args.Length == 0 || !benchmarks.TryGetValue(args[0], out var run))
{
    Console.Error.WriteLine($"usage: Backchannel.Bench <{string.Join('|', benchmarks.Keys)}> [--option value ...]");
    return 2;
}
await run(new Args(args));
return 0;
