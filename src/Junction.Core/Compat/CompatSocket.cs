using System.Net;
using System.Net.Sockets;
using Junction.Interop;
using Junction.Sockets;

namespace Junction.Compat;

/// <summary>
/// One socket a program under Junction created: the host's end of the AF_UNIX pair whose other end is the program's
/// descriptor (known by that end's inode, which survives dup, fork and exec), and the <see cref="JunctionSocket"/>
/// it stands for. The supervisor's lock guards every field; the program end's close is seen as EOF on the host end.
/// </summary>
internal sealed class CompatSocket
{
    private readonly SeccompSupervisor _owner;
    private readonly byte[] _peek = new byte[1];
    private readonly Dictionary<(int Level, int Name), byte[]> _options = [];

    public CompatSocket(SeccompSupervisor owner, int family, ulong inode, Socket host, JunctionSocket junction)
    {
        _owner = owner;
        Family = family;
        IsUdp = junction.ProtocolType == ProtocolType.Udp;
        Inode = inode;
        Host = host;
        Junction = junction;
    }

    /// <summary>AF_INET or AF_INET6 (which carries IPv4-mapped addresses).</summary>
    public int Family { get; }

    /// <summary>A UDP socket (its pair is SOCK_SEQPACKET, one record per datagram), else TCP.</summary>
    public bool IsUdp { get; }

    /// <summary>UDP: the peer connect() chose (datagrams from others are dropped, sends without an address go there).</summary>
    public IPEndPoint? UdpPeer { get; set; }

    /// <summary>UDP: whether the loop that moves received datagrams into the pair runs (once the socket has a port).</summary>
    public bool UdpReceiving { get; set; }

    /// <summary>UDP: who sent each datagram waiting in the program's end, oldest first (the pair carries only the payload).</summary>
    public Queue<DatagramSource> UdpSources { get; } = new();

    /// <summary>UDP: blocking recvfrom/recvmsg calls waiting for a datagram.</summary>
    public Queue<DatagramReceive> UdpWaiters { get; } = new();

    /// <summary>The inode of the program's end.</summary>
    public ulong Inode { get; }

    /// <summary>The host's end of the pair.</summary>
    public Socket Host { get; }

    public JunctionSocket Junction { get; }

    public CompatSocketState State { get; set; }

    /// <summary>Bound (or listening) on the wildcard address: getsockname says 0.0.0.0 (or ::), as Linux does.</summary>
    public bool BoundToAny { get; set; } = true;

    /// <summary>The error SO_ERROR reports next (then 0).</summary>
    public int PendingError { get; set; }

    /// <summary>IPV6_V6ONLY as the program set it.</summary>
    public bool V6Only { get; set; }

    /// <summary>SO_LINGER on with 0 s: the program's close resets the connection.</summary>
    public bool LingerReset { get; set; }

    /// <summary>Listening: connections the stack established that no accept took yet (one token byte each sits in the program's end).</summary>
    public LinkedList<JunctionSocket> Pending { get; } = new();

    /// <summary>Listening: blocking accepts waiting for a connection.</summary>
    public Queue<AcceptRequest> Waiters { get; } = new();

    /// <summary>Non-blocking connect: the copy of the program's end kept to un-fill it when the handshake ends.</summary>
    public int ProgramEndCopy { get; set; } = -1;

    /// <summary>Non-blocking connect: filler bytes written from the program's end so that it polls unwritable until the handshake ends.</summary>
    public int FillerBytes { get; set; }

    /// <summary>Non-blocking connect: the program end's SO_SNDBUF before it was shrunk for the filler.</summary>
    public int SavedSendBuffer { get; set; }

    public int HostFd => (int)Host.Handle;

    public IPEndPoint LocalEndPoint
    {
        get
        {
            if (State == CompatSocketState.Connected && Junction.LocalEndPoint is IPEndPoint connected) return connected;
            if (Junction.LocalEndPoint is IPEndPoint bound) return BoundToAny ? new IPEndPoint(IPAddress.Any, bound.Port) : bound;
            return new IPEndPoint(IPAddress.Any, 0);
        }
    }

    public void SetOption(int level, int name, byte[] value) => _options[(level, name)] = value;

    public byte[]? GetOption(int level, int name) => _options.GetValueOrDefault((level, name));

    /// <summary>Every option the program set, to replay on a kernel socket that takes this one's place.</summary>
    public IReadOnlyDictionary<(int Level, int Name), byte[]> Options => _options;

    /// <summary>
    /// Watches the host end while nothing else reads it (open, bound, listening, failed): EOF means the program closed
    /// its descriptor in every process, so the socket goes (its port with it). Peeks, so that it never takes bytes a
    /// later owner of the host end (the byte bridge, the filler drain) counts on.
    /// </summary>
    public async Task WatchAsync()
    {
        while (true)
        {
            int received;
            try
            {
                received = await Host.ReceiveAsync(_peek, SocketFlags.Peek).ConfigureAwait(false);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                received = 0;
            }
            lock (_owner.Gate)
            {
                if (State is CompatSocketState.Connecting or CompatSocketState.Connected or CompatSocketState.Closed) return;
                if (received == 0)
                {
                    _owner.Forget(this);
                    Close();
                    return;
                }
                DiscardStray();
            }
        }
    }

    /// <summary>Bytes the program wrote into a socket that is not connected go nowhere (the kernel would refuse them).</summary>
    private unsafe void DiscardStray()
    {
        byte* buffer = stackalloc byte[4096];
        while (Libc.RecvFrom(HostFd, buffer, 4096, Libc.MSG_DONTWAIT, null, null) > 0)
        {
        }
    }

    /// <summary>Lets everything go: the Junction socket (a listener stops, a connection ends), queued connections, the host end.</summary>
    public void Close()
    {
        if (State == CompatSocketState.Closed) return;
        State = CompatSocketState.Closed;
        foreach (JunctionSocket pending in Pending) pending.Dispose();
        Pending.Clear();
        Waiters.Clear();
        foreach (DatagramReceive waiter in UdpWaiters) Libc.Close(waiter.ProgramEndCopy);
        UdpWaiters.Clear();
        UdpSources.Clear();
        if (ProgramEndCopy >= 0)
        {
            Libc.Close(ProgramEndCopy);
            ProgramEndCopy = -1;
        }
        Junction.Dispose();
        Host.Dispose();
    }
}
