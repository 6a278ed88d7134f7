using System.Net;

namespace Junction.Cli.Load;

/// <summary>One load run: which scenario's load, against what, how many connections, how long.</summary>
internal sealed record LoadRequest(Scenario Scenario, IPEndPoint Target, int Connections, TimeSpan Warmup, TimeSpan Duration)
{
    /// <summary>Sender threads for udp-pps.</summary>
    public int UdpSenders { get; init; } = 2;

    /// <summary>HTTP requests in flight per connection for http-plaintext (wrk only): 1 is no pipelining.</summary>
    public int Pipeline { get; init; } = 1;
}
