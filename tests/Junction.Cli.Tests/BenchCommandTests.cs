using System.Text.Json;

namespace Junction.Cli.Tests;

public sealed class BenchCommandTests
{
    [Fact]
    public void Bench_tcp_rr_json_has_junction_linux_junction_to_junction_and_ratio_objects_of_the_documented_schema()
    {
        RootRequired.Check();
        string path = Path.Combine(Path.GetTempPath(), $"junction-rr-{Environment.ProcessId}.json");
        try
        {
            var (exit, output, error) = JunctionCommand.Run(TimeSpan.FromSeconds(60), "bench", "tcp-rr", "--duration", "2", "--json", path);
            Assert.True(exit == 0, output + error);
            using JsonDocument document = JsonDocument.Parse(File.ReadAllText(path));
            JsonElement root = document.RootElement;
            Assert.Equal("junction-bench/1", root.GetProperty("schema").GetString());
            Assert.Equal("af_xdp-veth-lab", root.GetProperty("environment").GetString());
            Assert.True(root.GetProperty("machine").GetProperty("vcpus").GetInt32() > 0);
            Assert.Equal(2, root.GetProperty("duration_s").GetDouble());
            JsonElement scenario = root.GetProperty("scenarios").GetProperty("tcp-rr");
            Assert.Equal(1, scenario.GetProperty("connections").GetInt32());
            foreach (string side in new[] { "junction", "linux" })
            {
                JsonElement figures = scenario.GetProperty(side);
                Assert.True(figures.GetProperty("rps").GetDouble() > 0, side);
                Assert.True(figures.GetProperty("p50_us").GetDouble() > 0, side);
                Assert.True(figures.GetProperty("p99_us").GetDouble() >= figures.GetProperty("p50_us").GetDouble(), side);
                Assert.True(figures.GetProperty("server_cpu_s_per_100k").GetDouble() > 0, side);
                Assert.Equal(0, figures.GetProperty("errors").GetInt64());
                Assert.False(figures.TryGetProperty("gbps", out _));
            }
            JsonElement pair = scenario.GetProperty("junction_to_junction");
            Assert.True(pair.GetProperty("rps").GetDouble() > 0);
            Assert.True(pair.GetProperty("p50_us").GetDouble() > 0);
            Assert.True(pair.GetProperty("p99_us").GetDouble() >= pair.GetProperty("p50_us").GetDouble());
            Assert.Equal(0, pair.GetProperty("errors").GetInt64());
            Assert.False(pair.TryGetProperty("server_cpu_s_per_100k", out _));
            JsonElement ratio = scenario.GetProperty("ratio");
            double expected = scenario.GetProperty("junction").GetProperty("rps").GetDouble() / scenario.GetProperty("linux").GetProperty("rps").GetDouble();
            // The report rounds the ratio to three decimals: within half a thousandth plus the rounding of the figures.
            Assert.Equal(expected, ratio.GetProperty("rps").GetDouble(), tolerance: 0.001);
            Assert.True(ratio.TryGetProperty("p50_us", out _));
            Assert.True(ratio.TryGetProperty("server_cpu_s_per_100k", out _));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("tcp-bulk", "gbps", "server_cpu_s_per_gb")]
    [InlineData("udp-pps", "pps", "server_cpu_s_per_100k")]
    [InlineData("http-plaintext", "rps", "server_cpu_s_per_100k")]
    public void Bench_reports_both_sides_with_server_cpu(string scenarioName, string measure, string cpu)
    {
        RootRequired.Check();
        string path = Path.Combine(Path.GetTempPath(), $"junction-{scenarioName}-{Environment.ProcessId}.json");
        try
        {
            var (exit, output, error) = JunctionCommand.Run(TimeSpan.FromSeconds(90), "bench", scenarioName, "--duration", "1", "--load", "builtin", "--json", path);
            Assert.True(exit == 0, output + error);
            using JsonDocument document = JsonDocument.Parse(File.ReadAllText(path));
            JsonElement scenario = document.RootElement.GetProperty("scenarios").GetProperty(scenarioName);
            foreach (string side in new[] { "junction", "linux" })
            {
                JsonElement figures = scenario.GetProperty(side);
                Assert.True(figures.GetProperty(measure).GetDouble() > 0, side + " " + measure);
                Assert.True(figures.GetProperty(cpu).GetDouble() > 0, side + " " + cpu);
                Assert.Equal(0, figures.GetProperty("errors").GetInt64());
            }
            Assert.Contains("park", scenario.GetProperty("junction").GetProperty("server").GetString()!, StringComparison.Ordinal);
            Assert.True(scenario.GetProperty("ratio").TryGetProperty(cpu, out _));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
