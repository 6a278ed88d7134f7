using Junction.Devices.Verbs;

namespace Junction.Tests.Verbs;

/// <summary>A scripted verbs system: each step returns what the test set.</summary>
internal sealed class FakeVerbsPlatform : IVerbsPlatform
{
    public bool LibraryLoads { get; init; } = true;
    public int ListError { get; init; }
    public List<VerbsDeviceInfo> Devices { get; init; } = [];
    public int QueryError { get; init; }
    public byte LinkLayer { get; init; } = 2;
    public int PortState { get; init; } = 4;
    public int RawPacketError { get; init; }
    public List<string> Calls { get; } = [];

    public bool TryLoadLibrary()
    {
        Calls.Add("load");
        return LibraryLoads;
    }

    public int ListDevices(List<VerbsDeviceInfo> devices)
    {
        Calls.Add("list");
        devices.AddRange(Devices);
        return ListError;
    }

    public int QueryPort(string deviceName, byte port, out byte linkLayer, out int portState)
    {
        Calls.Add($"query {deviceName} {port}");
        linkLayer = LinkLayer;
        portState = PortState;
        return QueryError;
    }

    public int ProbeRawPacket(string deviceName, byte port)
    {
        Calls.Add($"raw {deviceName} {port}");
        return RawPacketError;
    }
}
