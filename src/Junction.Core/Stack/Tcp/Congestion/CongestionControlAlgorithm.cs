namespace Junction.Stack.Tcp.Congestion;

/// <summary>Which congestion controller new connections use.</summary>
public enum CongestionControlAlgorithm
{
    /// <summary>CUBIC (RFC 9438), the default as in Linux.</summary>
    Cubic,

    /// <summary>NewReno (RFC 5681, RFC 6582).</summary>
    NewReno,
}
