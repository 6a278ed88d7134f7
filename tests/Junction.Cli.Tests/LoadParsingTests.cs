using Junction.Cli.Load;

namespace Junction.Cli.Tests;

public sealed class LoadParsingTests
{
    [Fact]
    public void Content_length_is_found_whatever_its_case()
    {
        Assert.Equal(13, HttpLoad.ContentLength("HTTP/1.1 200 OK\r\ncontent-LENGTH:  13 \r\n\r\n"u8));
        Assert.Equal(0, HttpLoad.ContentLength("HTTP/1.1 204 No Content\r\nServer: x\r\n\r\n"u8));
    }

    [Fact]
    public void Wrk_report_gives_requests_percentiles_and_errors()
    {
        const string output = """
            Running 5s test @ http://10.77.0.1:8080/plaintext
              2 threads and 32 connections
              Thread Stats   Avg      Stdev     Max   +/- Stdev
                Latency   610.11us  200.00us   5.00ms   90.00%
              Latency Distribution
                 50%  512.00us
                 75%  700.00us
                 90%    1.00ms
                 99%    2.50ms
              250000 requests in 5.00s, 30.00MB read
              Socket errors: connect 0, read 2, write 0, timeout 1
            Requests/sec:  50000.00
            Transfer/sec:      6.00MB
            """;
        LoadFigures figures = Wrk.Parse(output, 5);
        Assert.Equal(250_000, figures.Operations);
        Assert.Equal(5.0, figures.Seconds);
        Assert.Equal(512.0, figures.P50Us);
        Assert.Equal(2500.0, figures.P99Us);
        Assert.Equal(3, figures.Errors);
        Assert.Equal(50_000, figures.OperationsPerSecond);
    }

    [Fact]
    public void A_zero_percentile_from_wrk_is_reported_as_no_figure()
    {
        // What wrk 4.1 prints for a pipelined run whose 99th percentile its histogram cannot place.
        const string output = """
              Latency Distribution
                 50%  442.00us
                 99%    0.00us
              1953936 requests in 3.00s, 245.97MB read
            """;
        LoadFigures figures = Wrk.Parse(output, 3);
        Assert.Equal(442.0, figures.P50Us);
        Assert.Null(figures.P99Us);
    }

    [Fact]
    public void Latency_histogram_percentiles_are_exact_to_a_microsecond()
    {
        var histogram = new LatencyHistogram();
        long ticksPerMicrosecond = System.Diagnostics.Stopwatch.Frequency / 1_000_000;
        for (int i = 1; i <= 100; i++) histogram.Record(0, i * 10 * ticksPerMicrosecond);
        Assert.Equal(100, histogram.Count);
        Assert.InRange(histogram.Percentile(50)!.Value, 499, 501);
        Assert.InRange(histogram.Percentile(99)!.Value, 989, 991);
        Assert.Null(new LatencyHistogram().Percentile(50));
    }
}
