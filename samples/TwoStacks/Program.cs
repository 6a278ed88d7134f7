// Two Junction stack instances on the in-process virtual switch, in simulated time: a client opens TCP connections
// to an echo server through a lossy, reordering link, streams data, and checks that every byte came back intact.
using System.Diagnostics;
using System.Security.Cryptography;
using Junction.Devices.Memory;
using Junction.Simulation;
using Junction.Stack;
using Junction.Stack.Tcp;

const int Connections = 8;
const int BytesPerConnection = 4 << 20;
const ushort EchoPort = 7;

var faults = new FaultSettings { LossRate = 0.01, ReorderRate = 0.01, DuplicateRate = 0.005, Delay = TimeSpan.FromMilliseconds(1), Seed = 42 };
var port = new VirtualPortOptions { Faults = faults, FrameCount = 8192 };

using var network = new SimulatedNetwork(seed: 42);
NetStack server = network.AddStack("10.0.0.1", port);
NetStack client = network.AddStack("10.0.0.2", port with { Faults = faults with { Seed = 43 } });
Console.WriteLine($"server {server.Address} ({server.MacAddress})  client {client.Address} ({client.MacAddress})");
Console.WriteLine($"link: {faults.LossRate:P1} loss, {faults.ReorderRate:P1} reordering, {faults.DuplicateRate:P1} duplication, {faults.Delay.TotalMilliseconds} ms one way");

using TcpListenEndpoint listener = server.TcpListen(EchoPort);
var accepted = new List<TcpConnection>();
var flows = new List<Flow>();
for (int i = 0; i < Connections; i++) flows.Add(new Flow(client.TcpConnect(server.Address, EchoPort), BytesPerConnection, seed: i));

byte[] scratch = new byte[64 * 1024];
var wall = Stopwatch.StartNew();
bool finished = network.RunUntil(() => flows.TrueForAll(f => f.Done), TimeSpan.FromMinutes(10), step: () =>
{
    while (listener.TryAccept(out TcpConnection? c)) accepted.Add(c);
    foreach (TcpConnection c in accepted) Echo(c, scratch);
    foreach (Flow f in flows) f.Step(scratch);
});
wall.Stop();

Console.WriteLine();
Console.WriteLine($"{"connection",-34} {"sent",10} {"echoed",10} {"intact",7} {"rexmits",8} {"srtt",9}");
foreach (Flow f in flows)
{
    TcpConnection c = f.Connection;
    Console.WriteLine($"{c.LocalAddress + ":" + c.LocalPort + " -> " + c.RemoteAddress + ":" + c.RemotePort,-34} {f.Sent,10:N0} {f.Received,10:N0} {(f.Intact ? "yes" : "NO"),7} {c.Retransmissions,8} {c.SmoothedRtt.TotalMilliseconds,7:F2}ms");
}
long total = flows.Sum(f => f.Received);
Console.WriteLine();
Console.WriteLine($"{(finished ? "all flows finished" : "DID NOT FINISH")}: {total:N0} bytes echoed in {network.Now} simulated, {wall.Elapsed.TotalSeconds:F2} s wall clock (one thread, JIT warm-up included; see bench/ for throughput)");
SwitchStatistics sw = network.Switch.Statistics;
Console.WriteLine($"switch: {sw.Forwarded:N0} frames forwarded, {sw.DroppedLost:N0} lost on purpose");
foreach ((string name, NetStack stack) in new[] { ("client", client), ("server", server) })
{
    TcpStatistics tcp = stack.TcpStatistics;
    FaultStatistics f = ((VirtualPort)stack.Device).FaultStatistics;
    Console.WriteLine($"{name}: sent {tcp.SegmentsSent:N0} segments ({tcp.SegmentsRetransmitted:N0} retransmitted: {tcp.FastRetransmits:N0} fast, " +
        $"{tcp.RetransmissionTimeouts:N0} timeouts, {tcp.TailLossProbes:N0} tail probes); its link lost {f.Lost:N0}, reordered {f.Reordered:N0}, duplicated {f.Duplicated:N0}");
}
return finished && flows.TrueForAll(f => f.Intact) ? 0 : 1;

static void Echo(TcpConnection c, byte[] scratch)
{
    int n = Math.Min(c.ReceiveAvailable, c.SendFree);
    if (n > 0)
    {
        int read = c.Receive(scratch.AsSpan(0, Math.Min(n, scratch.Length)));
        c.Send(scratch.AsSpan(0, read));
    }
    if (c.IsReceiveComplete && c.SendQueued == 0 && c.State == TcpState.CloseWait) c.Close();
}

/// <summary>One client connection: streams seeded random bytes, reads the echo back and compares hashes.</summary>
sealed class Flow(TcpConnection connection, int length, int seed)
{
    private readonly byte[] _data = RandomData(length, seed);
    private readonly IncrementalHash _echoHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    public TcpConnection Connection => connection;
    public long Sent { get; private set; }
    public long Received { get; private set; }
    public bool Done { get; private set; }
    public bool Intact { get; private set; }

    public void Step(byte[] scratch)
    {
        if (Done || connection.State is TcpState.SynSent or TcpState.Closed) return;
        if (Sent < _data.Length)
        {
            Sent += connection.Send(_data.AsSpan((int)Sent));
            if (Sent == _data.Length) connection.ShutdownSend();
        }
        int read;
        while ((read = connection.Receive(scratch)) > 0)
        {
            _echoHash.AppendData(scratch, 0, read);
            Received += read;
        }
        if (connection.IsReceiveComplete)
        {
            Intact = Received == _data.Length && _echoHash.GetHashAndReset().AsSpan().SequenceEqual(SHA256.HashData(_data));
            connection.Close();
            Done = true;
        }
    }

    private static byte[] RandomData(int length, int seed)
    {
        byte[] data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }
}
