namespace Junction.Stack.Tcp.Congestion;

/// <summary>Creates the controller a connection uses.</summary>
internal static class CongestionControllerFactory
{
    /// <summary>A new controller of <paramref name="algorithm"/> with an initial window of <paramref name="initialWindowSegments"/> segments.</summary>
    public static CongestionController Create(CongestionControlAlgorithm algorithm, int mss, int initialWindowSegments) => algorithm switch
    {
        CongestionControlAlgorithm.Cubic => new CubicController(mss, initialWindowSegments),
        CongestionControlAlgorithm.NewReno => new NewRenoController(mss, initialWindowSegments),
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "Unknown congestion control algorithm."),
    };
}
