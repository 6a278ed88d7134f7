namespace Junction.Conformance.Running;

/// <summary>
/// What the runner knows about one connection with the scripted peer: its ports and the offsets between script
/// sequence numbers (relative, as written) and live ones, learned as packetdrill does — the local ISN from the first
/// SYN the stack sends, the remote ISN chosen by the runner when it sends the first SYN.
/// </summary>
internal sealed class ConnectionContext(ushort localPort, ushort remotePort)
{
    private readonly Dictionary<uint, uint> _tsValScriptToLive = [];

    public ushort LocalPort { get; } = localPort;

    public ushort RemotePort { get; } = remotePort;

    /// <summary>Live minus script for the stack's sequence space; null until the stack's SYN is seen.</summary>
    public uint? LocalOffset { get; set; }

    /// <summary>Live minus script for the peer's sequence space; null until the peer's SYN is sent.</summary>
    public uint? RemoteOffset { get; set; }

    public bool HasFirstTimestamp { get; private set; }

    public uint FirstScriptTsVal { get; private set; }

    public uint FirstLiveTsVal { get; private set; }

    /// <summary>Remembers that the stack's TS val <paramref name="live"/> is what the script called <paramref name="script"/>.</summary>
    public void MapTsVal(uint script, uint live)
    {
        _tsValScriptToLive[script] = live;
        if (!HasFirstTimestamp)
        {
            HasFirstTimestamp = true;
            FirstScriptTsVal = script;
            FirstLiveTsVal = live;
        }
    }

    /// <summary>The live value for an inbound TS ecr written in script terms; false if nothing the stack sent explains it.</summary>
    public bool TryMapEcr(uint script, out uint live)
    {
        if (_tsValScriptToLive.TryGetValue(script, out live)) return true;
        if (HasFirstTimestamp)
        {
            live = unchecked(script - FirstScriptTsVal + FirstLiveTsVal);
            return true;
        }
        live = script;
        return script == 0;
    }

    public override string ToString() => $"local port {LocalPort}, remote port {RemotePort}";
}
