using System.Globalization;
using Junction.Compat;
using Junction.Interop.Tests.Tcp;

namespace Junction.Interop.Tests.Compat;

/// <summary>redis-server, unmodified, on Junction's stack, driven by redis-benchmark from the Linux side.</summary>
[Collection(KernelInterop.Name)]
public sealed class RedisTests
{
    private static readonly TimeSpan s_hang = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task Redis_server_under_junction_completes_redis_benchmark_with_and_without_pipelining()
    {
        await using CompatLab lab = CompatLab.Start();
        using var directory = new TemporaryDirectory();
        JunctionProcess redis = StartRedis(lab, directory.Path, 6390);

        foreach (string pipeline in (string[])["1", "16"])
        {
            (int exit, string output) = lab.RunOnLinux(s_hang, "redis-benchmark", "-h", lab.JunctionAddress, "-p", "6390",
                "-t", "set,get,lpush,lpop", "-n", "100000", "-P", pipeline, "--csv");
            IReadOnlyDictionary<string, double> rates = ParseCsv(output);
            Assert.True(exit == 0, $"redis-benchmark -P {pipeline} failed ({exit}): {output}\nredis: {lab.OutputOf(redis)}");
            Assert.DoesNotContain("error", output, StringComparison.OrdinalIgnoreCase);
            Assert.True(rates.Count == 4 && rates.Values.All(rate => rate > 0), $"-P {pipeline}: expected SET, GET, LPUSH and LPOP figures: {output}");
        }
        Assert.True(redis.Statistics.ConnectionsAccepted >= 100, redis.Statistics.ToString());
    }

    internal static JunctionProcess StartRedis(CompatLab lab, string directory, int port)
    {
        JunctionProcess redis = lab.Run("redis-server", "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "0.0.0.0",
            "--protected-mode", "no", "--save", "", "--appendonly", "no", "--dir", directory);
        lab.WaitForListener(redis, port);
        return redis;
    }

    /// <summary>redis-benchmark --csv: a header, then "TEST","requests/s",... per test.</summary>
    internal static IReadOnlyDictionary<string, double> ParseCsv(string output)
    {
        var rates = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (string line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string[] fields = line.Split(',');
            if (fields.Length < 2) continue;
            string test = fields[0].Trim('"');
            if (double.TryParse(fields[1].Trim('"'), NumberStyles.Float, CultureInfo.InvariantCulture, out double rate)) rates[test] = rate;
        }
        return rates;
    }
}
