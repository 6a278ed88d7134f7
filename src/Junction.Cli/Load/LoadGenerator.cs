using Junction.Cli.Services;

namespace Junction.Cli.Load;

/// <summary>Runs a scenario's load over a connector (Linux sockets or Junction sockets) through a <see cref="LoadWindow"/>.</summary>
internal static class LoadGenerator
{
    public static Task<LoadFigures> RunAsync(LoadRequest request, StreamConnector connect, Action? onWindowStart, Action? onWindowEnd = null)
    {
        var workers = new List<Func<LoadWindow, Task>>();
        string host = request.Target.ToString();
        switch (request.Scenario)
        {
            case Scenario.TcpRr:
                for (int i = 0; i < request.Connections; i++) workers.Add(TcpRoundTripLoad.Worker(connect));
                break;
            case Scenario.TcpBulk:
                for (int i = 0; i < request.Connections; i++) workers.Add(TcpBulkLoad.Worker(connect));
                break;
            case Scenario.HttpPlaintext:
                for (int i = 0; i < request.Connections; i++) workers.Add(HttpLoad.Worker(connect, host, request.Pipeline));
                break;
            case Scenario.UdpPps:
                workers.Add(async window =>
                {
                    using var blaster = new UdpBlaster(request.Target, request.UdpSenders, batched: true);
                    long counted = 0;
                    while (!window.Stopping)
                    {
                        await Task.Delay(10, CancellationToken.None).ConfigureAwait(false);
                        long sent = blaster.Sent;
                        window.Count(sent - counted);
                        counted = sent;
                    }
                });
                break;
        }
        string generator = request.Scenario == Scenario.HttpPlaintext ? "built-in HTTP/1.1 (" + HttpPlaintext.Path + ")" : "built-in";
        return RunWindowAsync(workers, request, onWindowStart, onWindowEnd, generator);
    }

    private static async Task<LoadFigures> RunWindowAsync(List<Func<LoadWindow, Task>> workers, LoadRequest request, Action? onWindowStart, Action? onWindowEnd, string generator)
    {
        using var window = new LoadWindow();
        return await window.RunAsync(workers, request.Warmup, request.Duration, onWindowStart, generator, onWindowEnd).ConfigureAwait(false);
    }
}
