using System.Diagnostics.CodeAnalysis;
using System.Net.Sockets;
using System.Security.Cryptography;
using Junction.Devices;
using Junction.Stack.Tcp;
using Junction.Stack.Udp;
using Junction.Wire;

namespace Junction.Stack;

/// <summary>
/// One network stack instance: an IPv4 address on one device queue, with ARP, ICMP echo, UDP and TCP.
/// It owns no thread. Whoever drives it calls <see cref="Poll"/> with the current time, when frames may have
/// arrived or by <see cref="NextDeadline"/>; every call on the instance and its sockets comes from that thread.
/// </summary>
[SuppressMessage("Naming", "CA1711:Identifiers should not have incorrect suffix", Justification = "A network stack, not a Stack<T> collection.")]
public sealed class NetStack : IDisposable, ITcpOutput
{
    private const int EthernetIpHeaders = EthernetFrame.HeaderLength + Ipv4Packet.MinHeaderLength;
    private const int MaxReceiveBatchesPerPoll = 16;
    private const long MicrosecondsPerSecond = 1_000_000;

    private readonly INetDevice _device;
    private readonly NetStackOptions _options;
    private readonly Frame[] _receiveBatch;
    private readonly Frame[] _transmitBatch;
    private readonly Frame[] _resolvedScratch;
    private readonly ArpCache _arp;
    private readonly TcpLayer _tcp;
    private readonly Dictionary<ushort, UdpSocket> _udpSockets = [];
    private readonly bool _verifyChecksums;
    private readonly bool _fillChecksums;
    private readonly Random _portRandom;
    private int _transmitCount;
    private ushort _ipIdentification;
    private Instant _now;
    private Instant _icmpTokensAt;
    private int _icmpTokens;
    private bool _disposed;

    /// <summary>Creates an instance on <paramref name="device"/> at time <paramref name="now"/>.</summary>
    public NetStack(INetDevice device, NetStackOptions options, Instant now)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Address.IsAny) throw new ArgumentException("The stack needs an IPv4 address.", nameof(options));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.PrefixLength, 32, nameof(options));
        _device = device;
        _options = options;
        Mtu = options.Mtu == 0 ? device.Mtu : Math.Min(options.Mtu, device.Mtu);
        if (Mtu + EthernetFrame.HeaderLength > device.Pool.FrameSize)
            throw new ArgumentException($"MTU {Mtu} does not fit the device's {device.Pool.FrameSize}-byte frames.", nameof(options));
        _receiveBatch = new Frame[Math.Max(1, options.ReceiveBatchSize)];
        _transmitBatch = new Frame[Math.Max(1, options.ReceiveBatchSize)];
        _resolvedScratch = new Frame[Math.Max(1, options.ArpPendingPackets)];
        _arp = new ArpCache(options.ArpCacheCapacity, options.ArpPendingPackets);
        _verifyChecksums = (device.Capabilities & DeviceCapabilities.RxChecksumOffload) == 0;
        _fillChecksums = (device.Capabilities & DeviceCapabilities.TxChecksumOffload) == 0;
        _now = now;
        _icmpTokensAt = now;
        _icmpTokens = options.IcmpErrorsPerSecond;

        Span<byte> secret = stackalloc byte[32];
        if (options.Seed is int seed) new Random(seed).NextBytes(secret);
        else RandomNumberGenerator.Fill(secret);
        _portRandom = options.Seed is int s ? new Random(s ^ 0x5EED) : new Random();
        _tcp = new TcpLayer(this, options.Tcp, secret, now);
        CryptographicOperations.ZeroMemory(secret);
    }

    /// <summary>The device's hardware address.</summary>
    public MacAddress MacAddress => _device.MacAddress;

    /// <summary>The instance's IPv4 address.</summary>
    public Ipv4Address Address => _options.Address;

    /// <summary>Whether packets to <paramref name="destination"/> leave at all: on the subnet, or through a gateway (otherwise they are dropped; Linux says ENETUNREACH).</summary>
    internal bool CanRoute(Ipv4Address destination) => destination.IsInSameSubnet(Address, _options.PrefixLength) || !_options.Gateway.IsAny;

    /// <summary>The largest IP packet this instance sends.</summary>
    public int Mtu { get; }

    /// <summary>The device the instance runs on.</summary>
    public INetDevice Device => _device;

    /// <summary>Counters for the link, ARP, IPv4, ICMP and UDP.</summary>
    public NetStackStatistics Statistics { get; } = new();

    /// <summary>Counters for TCP.</summary>
    public TcpStatistics TcpStatistics => _tcp.Statistics;

    /// <summary>How many TCP connections exist (any state but listening).</summary>
    public int TcpConnectionCount => _tcp.ConnectionCount;

    /// <summary>When <see cref="Poll"/> must run next even if no frame arrives (<see cref="Instant.Never"/> if no timer is armed).</summary>
    public Instant NextDeadline =>
        _transmitCount > 0 ? _now : Instant.Min(_tcp.NextDeadline, _arp.NextRetry); // frames the device refused go next poll

    /// <summary>
    /// Does all the work that is due: takes received frames from the device and processes them, fires timers,
    /// and transmits what TCP, ARP and ICMP produced.
    /// </summary>
    public void Poll(Instant now)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _now = now;
        for (int batch = 0; batch < MaxReceiveBatchesPerPoll; batch++)
        {
            int received = _device.Receive(_receiveBatch);
            for (int i = 0; i < received; i++)
            {
                Statistics.FramesReceivedCount++;
                ProcessFrame(_receiveBatch[i]);
                _receiveBatch[i].Release();
                _receiveBatch[i] = default;
            }
            if (received < _receiveBatch.Length) break;
        }
        RetryArp(now);
        _tcp.Poll(now);
        FlushTransmit();
    }

    /// <summary>Listens for TCP connections on <paramref name="port"/> of this instance's address.</summary>
    public TcpListenEndpoint TcpListen(ushort port, int backlog = 128) => _tcp.Listen(Address, port, backlog);

    /// <summary>Opens a TCP connection; the SYN leaves on the next <see cref="Poll"/>.</summary>
    public TcpConnection TcpConnect(Ipv4Address remoteAddress, ushort remotePort, ushort localPort = 0) =>
        _tcp.Connect(Address, remoteAddress, remotePort, localPort);

    /// <summary>Binds a UDP port (0 picks an ephemeral one). Throws <see cref="SocketException"/> (AddressAlreadyInUse) if taken.</summary>
    public UdpSocket UdpBind(ushort port = 0)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (port == 0) port = PickEphemeralUdpPort();
        else if (_udpSockets.ContainsKey(port)) throw new SocketException((int)SocketError.AddressAlreadyInUse);
        var socket = new UdpSocket(this, Address, port, _options.UdpReceiveQueueLength);
        _udpSockets.Add(port, socket);
        return socket;
    }

    internal void Unbind(UdpSocket socket)
    {
        if (_udpSockets.TryGetValue(socket.LocalPort, out UdpSocket? bound) && bound == socket) _udpSockets.Remove(socket.LocalPort);
    }

    private ushort PickEphemeralUdpPort()
    {
        (int low, int high) = (_options.Tcp.EphemeralPortFirst, _options.Tcp.EphemeralPortLast);
        int span = high - low + 1;
        int start = _portRandom.Next(span);
        for (int i = 0; i < span; i++)
        {
            ushort candidate = (ushort)(low + (start + i) % span);
            if (!_udpSockets.ContainsKey(candidate)) return candidate;
        }
        throw new SocketException((int)SocketError.AddressAlreadyInUse);
    }

    // ---- receive path -------------------------------------------------------------------------------

    private void ProcessFrame(in Frame frame)
    {
        Span<byte> bytes = frame.Span;
        if (!EthernetFrame.TryParse(bytes, out MacAddress destination, out _, out ushort etherType))
        {
            Statistics.MalformedCount++;
            return;
        }
        if (destination != _device.MacAddress && !destination.IsBroadcast)
        {
            Statistics.NotForUsCount++;
            return;
        }
        switch (etherType)
        {
            case EtherType.Ipv4:
                ProcessIpv4(frame, bytes[EthernetFrame.HeaderLength..]);
                break;
            case EtherType.Arp:
                ProcessArp(bytes[EthernetFrame.HeaderLength..]);
                break;
            default:
                Statistics.UnsupportedCount++;
                break;
        }
    }

    private void ProcessArp(ReadOnlySpan<byte> packet)
    {
        WireError error = ArpPacket.TryParse(packet, out ArpRepr arp);
        if (error != WireError.None)
        {
            if (error == WireError.Unsupported) Statistics.UnsupportedCount++;
            else Statistics.MalformedCount++;
            return;
        }
        bool forUs = arp.TargetIp == Address;
        // RFC 826: update a sender we already know; add it only when the packet is for us. Probes (sender 0.0.0.0) teach nothing.
        if (!arp.SenderIp.IsAny && !arp.SenderMac.IsMulticast && (forUs || _arp.Contains(arp.SenderIp)))
        {
            if (_arp.Learn(arp.SenderIp, arp.SenderMac, _now, _options.ArpCacheTimeout)) SendParked(arp.SenderIp, arp.SenderMac);
        }
        if (forUs && arp.Operation == ArpOperation.Request)
        {
            var reply = new ArpRepr
            {
                Operation = ArpOperation.Reply,
                SenderMac = _device.MacAddress,
                SenderIp = Address,
                TargetMac = arp.SenderMac,
                TargetIp = arp.SenderIp,
            };
            if (SendArp(reply, arp.SenderMac)) Statistics.ArpRepliesSentCount++;
        }
    }

    private void ProcessIpv4(in Frame frame, ReadOnlySpan<byte> packet)
    {
        WireError error = Ipv4Packet.TryParse(packet, _verifyChecksums, out Ipv4Repr ip, out int headerLength);
        if (error != WireError.None)
        {
            CountDrop(error);
            return;
        }
        bool unicast = ip.Destination == Address;
        if (!unicast && !IsBroadcastForUs(ip.Destination))
        {
            Statistics.NotForUsCount++;
            return;
        }
        int payloadOffset = frame.Offset + EthernetFrame.HeaderLength + headerLength;
        ReadOnlySpan<byte> payload = packet.Slice(headerLength, ip.PayloadLength);
        switch (ip.Protocol)
        {
            case IpProtocol.Tcp when unicast:
                ProcessTcp(frame, ip, payload, payloadOffset);
                break;
            case IpProtocol.Udp:
                ProcessUdp(frame, ip, packet[..(headerLength + ip.PayloadLength)], payload, payloadOffset, unicast);
                break;
            case IpProtocol.Icmp when unicast:
                ProcessIcmp(ip, payload);
                break;
            default:
                Statistics.UnsupportedCount++;
                break;
        }
    }

    private bool IsBroadcastForUs(Ipv4Address destination)
    {
        if (destination.IsBroadcast) return true;
        uint hostMask = _options.PrefixLength >= 31 ? 0 : uint.MaxValue >> _options.PrefixLength;
        return hostMask != 0 && destination.IsInSameSubnet(Address, _options.PrefixLength) && (destination.Value & hostMask) == hostMask;
    }

    private bool IsSingleHost(Ipv4Address address) =>
        !address.IsAny && !address.IsMulticast && (address.Value >> 24) != 127 && address.Value < 0xF000_0000 && !IsBroadcastForUs(address);

    private void ProcessTcp(in Frame frame, in Ipv4Repr ip, ReadOnlySpan<byte> segment, int segmentOffset)
    {
        WireError error = TcpPacket.TryParse(segment, ip.Source, ip.Destination, _verifyChecksums, out TcpRepr tcp, out int headerLength);
        if (error != WireError.None)
        {
            CountDrop(error);
            return;
        }
        Frame payload = frame.WithWindow(segmentOffset + headerLength, segment.Length - headerLength);
        _tcp.Receive(ip.Source, ip.Destination, tcp, payload, _now);
    }

    private void ProcessUdp(in Frame frame, in Ipv4Repr ip, ReadOnlySpan<byte> ipPacket, ReadOnlySpan<byte> datagram, int datagramOffset, bool unicast)
    {
        WireError error = UdpPacket.TryParse(datagram, ip.Source, ip.Destination, _verifyChecksums, out UdpRepr udp);
        if (error != WireError.None)
        {
            CountDrop(error);
            return;
        }
        if (_udpSockets.TryGetValue(udp.DestinationPort, out UdpSocket? socket))
        {
            Frame payload = frame.WithWindow(datagramOffset + UdpPacket.HeaderLength, udp.PayloadLength);
            if (!socket.Deliver(payload, ip.Source, udp.SourcePort)) Statistics.UdpQueueFullDropsCount++;
            return;
        }
        Statistics.UdpNoSocketCount++;
        // RFC 1122 3.2.2: no ICMP error about a broadcast datagram, nor to a source that is not a single host.
        if (unicast && IsSingleHost(ip.Source)) SendPortUnreachable(ip.Source, ipPacket);
    }

    private void ProcessIcmp(in Ipv4Repr ip, ReadOnlySpan<byte> message)
    {
        WireError error = IcmpPacket.TryParse(message, _verifyChecksums, out IcmpRepr icmp);
        if (error != WireError.None)
        {
            CountDrop(error);
            return;
        }
        if (icmp.Type != IcmpType.EchoRequest || icmp.Code != 0) return;
        var reply = new IcmpRepr { Type = IcmpType.EchoReply, Code = 0, RestOfHeader = icmp.RestOfHeader };
        if (SendIcmp(ip.Source, reply, message[IcmpPacket.HeaderLength..])) Statistics.EchoRepliesSentCount++;
    }

    private void CountDrop(WireError error)
    {
        switch (error)
        {
            case WireError.BadChecksum: Statistics.BadChecksumCount++; break;
            case WireError.Fragmented: Statistics.FragmentsDroppedCount++; break;
            case WireError.Unsupported: Statistics.UnsupportedCount++; break;
            default: Statistics.MalformedCount++; break;
        }
    }

    // ---- transmit path ------------------------------------------------------------------------------

    bool ITcpOutput.SendSegment(Ipv4Address source, Ipv4Address destination, in TcpRepr header, ReadOnlySpan<byte> payload1, ReadOnlySpan<byte> payload2)
    {
        if (!TryRentTransmitFrame(out Frame frame)) return false;
        Span<byte> segment = frame.Span[EthernetIpHeaders..];
        int headerLength = TcpPacket.Emit(header, segment);
        payload1.CopyTo(segment[headerLength..]);
        payload2.CopyTo(segment[(headerLength + payload1.Length)..]);
        int length = headerLength + payload1.Length + payload2.Length;
        if (_fillChecksums) TcpPacket.FillChecksum(segment[..length], source, destination);
        return SendIpv4(frame, source, destination, IpProtocol.Tcp, length);
    }

    FramePool ITcpOutput.FramePool => _device.Pool;

    TcpSendOutcome ITcpOutput.SendSegment(Ipv4Address source, Ipv4Address destination, in TcpRepr header, TcpSendBuffer data, int offset, int length)
    {
        int headerLength = TcpPacket.HeaderLength(header);
        int headers = EthernetIpHeaders + headerLength;
        if (data.TryGetFrameInPlace(offset, length, headers, out Frame payload))
        {
            // Only the send buffer (and the writer filling it) holds the frame, and nothing still needed lies in front
            // of the payload: write the headers there and transmit the frame the application wrote into. The device
            // releases this reference once the frame is sent; the send buffer keeps its own until the ACK.
            payload.AddRef();
            Frame frame = payload.WithWindow(payload.Offset - headers, headers + length);
            Span<byte> inPlace = frame.Span[EthernetIpHeaders..];
            TcpPacket.Emit(header, inPlace);
            if (_fillChecksums) TcpPacket.FillChecksum(inPlace, source, destination);
            return SendIpv4(frame, source, destination, IpProtocol.Tcp, inPlace.Length) ? TcpSendOutcome.InPlace : TcpSendOutcome.Failed;
        }
        if (!TryRentTransmitFrame(out Frame copy)) return TcpSendOutcome.Failed;
        Span<byte> segment = copy.Span.Slice(EthernetIpHeaders, headerLength + length);
        TcpPacket.Emit(header, segment);
        data.CopyTo(offset, segment[headerLength..]);
        if (_fillChecksums) TcpPacket.FillChecksum(segment, source, destination);
        return SendIpv4(copy, source, destination, IpProtocol.Tcp, segment.Length) ? TcpSendOutcome.Copied : TcpSendOutcome.Failed;
    }

    int ITcpOutput.MaxSegmentSize(Ipv4Address destination) => Mtu - Ipv4Packet.MinHeaderLength - TcpPacket.MinHeaderLength;

    internal bool SendUdp(Ipv4Address source, ushort sourcePort, Ipv4Address destination, ushort destinationPort, ReadOnlySpan<byte> payload)
    {
        if (payload.Length > Mtu - Ipv4Packet.MinHeaderLength - UdpPacket.HeaderLength)
            throw new SocketException((int)SocketError.MessageSize);
        if (source.IsAny) source = Address;
        if (!TryRentTransmitFrame(out Frame frame)) return false;
        Span<byte> datagram = frame.Span.Slice(EthernetIpHeaders, UdpPacket.HeaderLength + payload.Length);
        UdpPacket.Emit(new UdpRepr { SourcePort = sourcePort, DestinationPort = destinationPort, PayloadLength = payload.Length }, datagram);
        payload.CopyTo(datagram[UdpPacket.HeaderLength..]);
        if (_fillChecksums) UdpPacket.FillChecksum(datagram, source, destination);
        return SendIpv4(frame, source, destination, IpProtocol.Udp, datagram.Length);
    }

    /// <summary>Answers a datagram for a closed port, quoting <paramref name="original"/>: the IP packet without link padding.</summary>
    private void SendPortUnreachable(Ipv4Address destination, ReadOnlySpan<byte> original)
    {
        if (!TakeIcmpToken()) return;
        // RFC 1812 4.3.2.3: quote as much of the offending packet as fits in 576 bytes.
        int quoted = Math.Min(original.Length, 576 - Ipv4Packet.MinHeaderLength - IcmpPacket.HeaderLength);
        var message = new IcmpRepr { Type = IcmpType.DestinationUnreachable, Code = 3 };
        if (SendIcmp(destination, message, original[..quoted])) Statistics.PortUnreachableSentCount++;
    }

    private bool TakeIcmpToken()
    {
        int rate = _options.IcmpErrorsPerSecond;
        if (rate <= 0) return false;
        long elapsed = _now.Microseconds - _icmpTokensAt.Microseconds;
        if (elapsed >= MicrosecondsPerSecond)
        {
            // A full second refills the bucket (it holds one second's worth); this also keeps the products below from overflowing.
            _icmpTokens = rate;
            _icmpTokensAt = _now;
        }
        else if (elapsed > 0)
        {
            long refill = elapsed * rate / MicrosecondsPerSecond;
            if (_icmpTokens + refill >= rate)
            {
                _icmpTokens = rate;
                _icmpTokensAt = _now;
            }
            else if (refill > 0)
            {
                _icmpTokens += (int)refill;
                // Advance only by the time the whole tokens stand for, so the fraction of the next one is not lost.
                _icmpTokensAt = new Instant(_icmpTokensAt.Microseconds + (refill * MicrosecondsPerSecond + rate - 1) / rate);
            }
        }
        if (_icmpTokens == 0) return false;
        if (_icmpTokens == rate) _icmpTokensAt = _now; // a full bucket earns nothing while it waits
        _icmpTokens--;
        return true;
    }

    private bool SendIcmp(Ipv4Address destination, in IcmpRepr message, ReadOnlySpan<byte> payload)
    {
        if (!TryRentTransmitFrame(out Frame frame)) return false;
        Span<byte> span = frame.Span.Slice(EthernetIpHeaders, IcmpPacket.HeaderLength + payload.Length);
        IcmpPacket.Emit(message, payload, span);
        return SendIpv4(frame, Address, destination, IpProtocol.Icmp, span.Length);
    }

    private bool TryRentTransmitFrame(out Frame frame)
    {
        if (_device.Pool.TryRent(out frame)) return true;
        Statistics.NoFrameDropsCount++;
        return false;
    }

    /// <summary>Wraps the layer-4 bytes already written after the headers into IPv4 and sends or parks the frame. Takes the frame.</summary>
    private bool SendIpv4(Frame frame, Ipv4Address source, Ipv4Address destination, byte protocol, int payloadLength)
    {
        var ip = new Ipv4Repr
        {
            Source = source,
            Destination = destination,
            Protocol = protocol,
            Ttl = _options.TimeToLive,
            PayloadLength = payloadLength,
            Identification = _ipIdentification++,
            DontFragment = true,
        };
        Span<byte> bytes = frame.Span;
        Ipv4Packet.Emit(ip, bytes.Slice(EthernetFrame.HeaderLength, Ipv4Packet.MinHeaderLength), _fillChecksums);
        frame = frame.WithWindow(frame.Offset, EthernetIpHeaders + payloadLength);

        if (IsBroadcastForUs(destination)) return Transmit(frame, MacAddress.Broadcast, EtherType.Ipv4);
        Ipv4Address nextHop = destination.IsInSameSubnet(Address, _options.PrefixLength) ? destination : _options.Gateway;
        if (nextHop.IsAny)
        {
            Statistics.ArpUnresolvedDropsCount++;
            frame.Release();
            return false;
        }
        if (_arp.TryLookup(nextHop, _now, out MacAddress mac)) return Transmit(frame, mac, EtherType.Ipv4);

        bool request = _arp.Park(frame, nextHop, _now, _options.ArpRetryInterval, out bool parked);
        if (!parked)
        {
            Statistics.ArpUnresolvedDropsCount++;
            frame.Release();
            return false;
        }
        if (request) SendArpRequest(nextHop);
        return true;
    }

    private void SendArpRequest(Ipv4Address target)
    {
        var request = new ArpRepr
        {
            Operation = ArpOperation.Request,
            SenderMac = _device.MacAddress,
            SenderIp = Address,
            TargetMac = MacAddress.Zero,
            TargetIp = target,
        };
        if (SendArp(request, MacAddress.Broadcast)) Statistics.ArpRequestsSentCount++;
    }

    private bool SendArp(in ArpRepr arp, MacAddress destination)
    {
        if (!TryRentTransmitFrame(out Frame frame)) return false;
        ArpPacket.Emit(arp, frame.Span.Slice(EthernetFrame.HeaderLength, ArpPacket.Length));
        // Ethernet's minimum frame (60 bytes before the FCS): pad with zeros.
        int length = Math.Max(EthernetFrame.HeaderLength + ArpPacket.Length, 60);
        frame.Span[(EthernetFrame.HeaderLength + ArpPacket.Length)..length].Clear();
        return Transmit(frame.WithWindow(frame.Offset, length), destination, EtherType.Arp);
    }

    private void SendParked(Ipv4Address address, MacAddress mac)
    {
        int count = _arp.TakeParked(address, _resolvedScratch);
        for (int i = 0; i < count; i++)
        {
            Transmit(_resolvedScratch[i], mac, EtherType.Ipv4);
            _resolvedScratch[i] = default;
        }
    }

    private void RetryArp(Instant now)
    {
        while (_arp.TryGetDueRequest(now, _options.ArpRetryInterval, _options.ArpRequestAttempts, out Ipv4Address address, out bool giveUp))
        {
            if (giveUp) Statistics.ArpUnresolvedDropsCount += _arp.DropParked(address);
            else SendArpRequest(address);
        }
    }

    private bool Transmit(Frame frame, MacAddress destination, ushort etherType)
    {
        EthernetFrame.Emit(frame.Span, destination, _device.MacAddress, etherType);
        if (_transmitCount == _transmitBatch.Length)
        {
            FlushTransmit();
            if (_transmitCount == _transmitBatch.Length)
            {
                // The device's queue and our batch are both full: this frame is lost (TCP repairs it).
                frame.Release();
                Statistics.TransmitDropsCount++;
                return false;
            }
        }
        _transmitBatch[_transmitCount++] = frame;
        if (_transmitCount == _transmitBatch.Length) FlushTransmit();
        return true;
    }

    private void FlushTransmit()
    {
        if (_transmitCount == 0) return;
        int accepted = _device.Transmit(_transmitBatch.AsSpan(0, _transmitCount));
        Statistics.FramesSentCount += accepted;
        // A full device queue (an AF_XDP TX ring waiting for completions) is back-pressure, not loss: keep the rest,
        // in order, for the next flush instead of leaving them to retransmission timeouts.
        int left = _transmitCount - accepted;
        Array.Copy(_transmitBatch, accepted, _transmitBatch, 0, left);
        Array.Clear(_transmitBatch, left, accepted);
        _transmitCount = left;
    }

    /// <summary>Closes every socket (connections are reset) and gives every frame back to the device.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _tcp.Dispose();
        FlushTransmit();
        for (int i = 0; i < _transmitCount; i++) _transmitBatch[i].Release();
        Array.Clear(_transmitBatch, 0, _transmitCount);
        _transmitCount = 0;
        foreach (UdpSocket socket in _udpSockets.Values.ToArray()) socket.Dispose();
        _arp.Dispose();
        _disposed = true;
    }
}
