// Benchmarks for the stack on the virtual switch, side by side with the Linux kernel over loopback in the same run.
// Usage: dotnet run -c Release --project bench/Junction.Bench [-- --bulk-mib N --rr-count N]
//        dotnet run -c Release --project bench/Junction.Bench -- runtime [--idle-instances N --idle-seconds N]
//        dotnet run -c Release --project bench/Junction.Bench -- xdp [--mode native|generic|both --json FILE]   (root)
//        dotnet run -c Release --project bench/Junction.Bench -- sockets [--seconds N]
using Junction.Bench;

if (args is ["runtime", ..]) return RuntimeBenchmarks.Run(args);
if (args is ["xdp", ..]) return XdpBench.Run(args[1..]);
if (args is ["sockets", ..]) return SocketsBenchmarks.Run(args);

int bulkMiB = Arg("--bulk-mib", 1024);
int rrCount = Arg("--rr-count", 200_000);

Console.WriteLine($"Junction benchmark: {Environment.ProcessorCount} cores, .NET {Environment.Version}, {DateTime.UtcNow:u}");
Console.WriteLine("Junction: two instances on the in-process virtual switch (no faults), driven on one thread.");
Console.WriteLine("Linux: System.Net.Sockets over loopback, client and server threads.");
Console.WriteLine();

BenchResult jBulk = StackBenchmarks.Bulk(bulkMiB);
BenchResult lBulk = LinuxBenchmarks.Bulk(bulkMiB);
BenchResult jRr = StackBenchmarks.RequestResponse(rrCount);
BenchResult lRr = LinuxBenchmarks.RequestResponse(rrCount);

Console.WriteLine($"{"scenario",-34} {"Junction",14} {"Linux",14} {"ratio",7}");
Row("bulk, 1 connection (Gbit/s)", jBulk.Rate, lBulk.Rate);
Row("64 B request/response (per s)", jRr.Rate, lRr.Rate);
Console.WriteLine($"{"bytes allocated per request",-34} {jRr.AllocatedPerOperation,14:F3} {lRr.AllocatedPerOperation,14:F3}");
Console.WriteLine($"{"bytes allocated per bulk MiB",-34} {jBulk.AllocatedPerOperation,14:F3} {lBulk.AllocatedPerOperation,14:F3}");
return 0;

static void Row(string name, double junction, double linux) =>
    Console.WriteLine($"{name,-34} {junction,14:N2} {linux,14:N2} {junction / linux,6:F2}x");

int Arg(string name, int fallback)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture) : fallback;
}
