namespace Junction.Cli.Load;

/// <summary>The benchmark scenarios, each run against Junction and against the Linux kernel stack.</summary>
internal enum Scenario
{
    /// <summary>64-byte TCP round trips (echo), one outstanding per connection.</summary>
    TcpRr,

    /// <summary>TCP bulk transfer into the server (discard).</summary>
    TcpBulk,

    /// <summary>64-byte UDP datagrams into the server, counted by the receiving application.</summary>
    UdpPps,

    /// <summary>HTTP/1.1 GET /plaintext, keep-alive.</summary>
    HttpPlaintext,
}

internal static class Scenarios
{
    public static readonly Scenario[] All = [Scenario.TcpRr, Scenario.TcpBulk, Scenario.UdpPps, Scenario.HttpPlaintext];

    public static string Name(Scenario scenario) => scenario switch
    {
        Scenario.TcpRr => "tcp-rr",
        Scenario.TcpBulk => "tcp-bulk",
        Scenario.UdpPps => "udp-pps",
        Scenario.HttpPlaintext => "http-plaintext",
        _ => throw new ArgumentOutOfRangeException(nameof(scenario)),
    };

    public static Scenario Parse(string name)
    {
        foreach (Scenario scenario in All)
        {
            if (Name(scenario) == name) return scenario;
        }
        throw new ArgumentException($"Unknown scenario '{name}': use {string.Join(", ", All.Select(Name))}.");
    }

    /// <summary>The port each scenario's servers listen on.</summary>
    public static ushort Port(Scenario scenario) => scenario switch
    {
        Scenario.TcpRr => 7,      // echo
        Scenario.TcpBulk => 9,    // discard
        Scenario.UdpPps => 9,     // discard (UDP)
        Scenario.HttpPlaintext => 8080,
        _ => throw new ArgumentOutOfRangeException(nameof(scenario)),
    };

    public static string Describe(Scenario scenario) => scenario switch
    {
        Scenario.TcpRr => "64-byte TCP round trips, one outstanding per connection",
        Scenario.TcpBulk => "TCP bulk transfer into the server, 256 KiB writes",
        Scenario.UdpPps => "64-byte UDP datagrams into the server (sendmmsg), counted by the receiving application",
        Scenario.HttpPlaintext => "HTTP/1.1 GET /plaintext, keep-alive, no pipelining",
        _ => throw new ArgumentOutOfRangeException(nameof(scenario)),
    };
}
