using Junction.Interop;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Junction.Devices.Verbs.Interop;
using Junction.Wire;

namespace Junction.Devices.Verbs;

/// <summary>
/// One mlx5 (ConnectX-4 and later) queue pair driven from user space through rdma-core: a protection domain, the
/// frame pool registered as one memory region, a RAW_PACKET send QP and a receive work queue behind a RAW_PACKET
/// receive QP with flow rules for this device's MAC (and IPv4 address), and completion rings polled directly from
/// the memory <c>mlx5dv_init_obj</c> exposes. An idle device arms its receive completion queue and waits on the
/// completion channel's file descriptor.
/// </summary>
public sealed unsafe class Mlx5Device : INetDevice
{
    private static readonly byte[] s_zeroRssKey = new byte[40];
    private const ushort EtherTypeArp = 0x0806;

    private readonly IbvContext* _context;
    private readonly IbvPd* _pd;
    private readonly IbvMr* _mr;
    private readonly IbvCompChannel* _channel;
    private readonly IbvCq* _rxCq;
    private readonly IbvCq* _txCq;
    private readonly IbvWq* _wq;
    private readonly IbvRwqIndTable* _indirection;
    private readonly IbvQp* _rxQp;
    private readonly IbvQp* _txQp;
    private readonly IbvFlow*[] _flows;
    private readonly Mlx5CompletionQueue _rxCompletions;
    private readonly Mlx5CompletionQueue _txCompletions;
    private readonly Mlx5SendQueue _sendQueue;
    private readonly Frame[] _sendFrames;
    private readonly Mlx5SinglePacketReceiver? _singleReceiver;
    private readonly Mlx5StridingReceiver? _stridingReceiver;
    private readonly nint _rssKey;
    private bool _disposed;

    private Mlx5Device(FramePool pool, Mlx5DeviceOptions options, Setup s)
    {
        Pool = pool;
        MacAddress = options.MacAddress;
        Mtu = options.Mtu;
        _context = s.Context;
        _pd = s.Pd;
        _mr = s.Mr;
        _channel = s.Channel;
        _rxCq = s.RxCq;
        _txCq = s.TxCq;
        _wq = s.Wq;
        _indirection = s.Indirection;
        _rxQp = s.RxQp;
        _txQp = s.TxQp;
        _flows = s.Flows!;
        _rssKey = s.RssKey;
        _rxCompletions = s.RxCompletions!;
        _txCompletions = s.TxCompletions!;
        _sendQueue = s.SendQueue!;
        _sendFrames = new Frame[_sendQueue.Capacity];
        _singleReceiver = s.SingleReceiver;
        _stridingReceiver = s.StridingReceiver;
        IsStriding = _stridingReceiver is not null;
        if (_stridingReceiver is not null) _stridingReceiver.Fill();
        else _singleReceiver!.Fill();
    }

    /// <inheritdoc/>
    public MacAddress MacAddress { get; }

    /// <inheritdoc/>
    public int Mtu { get; }

    /// <inheritdoc/>
    public DeviceCapabilities Capabilities => DeviceCapabilities.TxChecksumOffload;

    /// <inheritdoc/>
    public FramePool Pool { get; }

    /// <summary>Whether receive uses multi-packet (striding) WQEs.</summary>
    public bool IsStriding { get; }

    /// <summary>The completion channel's file descriptor: readable after <see cref="PrepareToWait"/> once a packet arrives.</summary>
    public int CompletionChannelFd => _channel->Fd;

    /// <summary>Send completions that reported an error.</summary>
    public long SendErrors { get; private set; }

    /// <summary>
    /// Opens the device <see cref="VerbsDiscovery"/> finds (or <see cref="Mlx5DeviceOptions.DeviceName"/>) over
    /// <paramref name="pool"/>. Returns false with a one-sentence reason instead of throwing when it cannot.
    /// </summary>
    public static bool TryOpen(FramePool pool, Mlx5DeviceOptions options, out Mlx5Device? device, out string reason)
    {
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentNullException.ThrowIfNull(options);
        device = null;
        VerbsDiscoveryResult found = VerbsDiscovery.Discover(options.DeviceName, options.Port);
        if (!found.IsAvailable)
        {
            reason = found.Reason;
            return false;
        }
        var setup = new Setup();
        try
        {
            reason = setup.Build(pool, options, found.DeviceName!);
            if (reason.Length != 0)
            {
                setup.Destroy();
                return false;
            }
            device = new Mlx5Device(pool, options, setup);
            reason = found.Reason;
            return true;
        }
        catch
        {
            setup.Destroy();
            throw;
        }
    }

    /// <inheritdoc/>
    public int Receive(Span<Frame> frames)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ReclaimSent();
        int count = 0;
        while (count < frames.Length && _rxCompletions.TryPoll(out Mlx5Completion completion))
        {
            bool taken = _stridingReceiver is not null
                ? _stridingReceiver.TryTake(completion, out Frame frame)
                : _singleReceiver!.TryTake(completion, out frame);
            if (taken) frames[count++] = frame;
        }
        _rxCompletions.UpdateDoorbellRecord();
        if (_stridingReceiver is not null) _stridingReceiver.Fill();
        else _singleReceiver!.Fill();
        return count;
    }

    /// <inheritdoc/>
    public int Transmit(ReadOnlySpan<Frame> frames)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ReclaimSent();
        int accepted = 0;
        int budget = Math.Min(frames.Length, _sendQueue.FreeSlots);
        for (; accepted < budget; accepted++)
        {
            Frame frame = frames[accepted];
            if (frame.Pool != Pool) break;
            nint address = Pool.BaseAddress + (nint)frame.Index * Pool.FrameSize + frame.Offset;
            // Signal the last WQE of the batch, and every half ring so a long batch frees slots early.
            bool signal = accepted == budget - 1 || (_sendQueue.Outstanding + 1) % (_sendQueue.Capacity / 2) == 0;
            int slot = _sendQueue.Post(address, frame.Length, signal, offloadChecksums: true);
            if (slot < 0) break;
            _sendFrames[slot] = frame;
        }
        _sendQueue.RingDoorbell();
        return accepted;
    }

    private void ReclaimSent()
    {
        bool any = false;
        while (_txCompletions.TryPoll(out Mlx5Completion completion))
        {
            any = true;
            if (completion.IsError) SendErrors++;
            int first = _sendQueue.OldestSlot;
            int retired = _sendQueue.Complete(completion.WqeCounter);
            for (int i = 0; i < retired; i++)
            {
                int slot = (first + i) & (_sendFrames.Length - 1);
                _sendFrames[slot].Release();
                _sendFrames[slot] = default;
            }
        }
        if (any) _txCompletions.UpdateDoorbellRecord();
    }

    /// <summary>
    /// Arms the receive completion queue so the next packet makes <see cref="CompletionChannelFd"/> readable.
    /// Returns false when completions are already waiting (poll again instead of sleeping).
    /// </summary>
    public bool PrepareToWait()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _rxCompletions.Arm();
        return !_rxCompletions.HasPending;
    }

    /// <summary>Takes the event that made <see cref="CompletionChannelFd"/> readable (call after the wait returns).</summary>
    public void AcknowledgeWakeup()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        IbvCq* cq;
        nint context;
        if (LibIbverbs.GetCqEvent(_channel, &cq, &context) == 0)
        {
            LibIbverbs.AckCqEvents(cq, 1);
            _rxCompletions.EventConsumed();
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        var setup = new Setup
        {
            Context = _context, Pd = _pd, Mr = _mr, Channel = _channel, RxCq = _rxCq, TxCq = _txCq, Wq = _wq,
            Indirection = _indirection, RxQp = _rxQp, TxQp = _txQp, Flows = _flows, RssKey = _rssKey,
        };
        setup.Destroy();
        // The queues are gone, so the NIC no longer touches the frames: give them all back.
        _singleReceiver?.Dispose();
        _stridingReceiver?.Dispose();
        for (int i = 0; i < _sendFrames.Length; i++)
        {
            if (!_sendFrames[i].IsEmpty)
            {
                _sendFrames[i].Release();
                _sendFrames[i] = default;
            }
        }
    }

    /// <summary>The verbs objects of one device while it is being built, so a failure part-way can undo them.</summary>
    private sealed class Setup : IDisposable
    {
        public IbvContext* Context;
        public IbvPd* Pd;
        public IbvMr* Mr;
        public IbvCompChannel* Channel;
        public IbvCq* RxCq;
        public IbvCq* TxCq;
        public IbvWq* Wq;
        public IbvRwqIndTable* Indirection;
        public IbvQp* RxQp;
        public IbvQp* TxQp;
        public IbvFlow*[]? Flows;
        public nint RssKey;
        public Mlx5CompletionQueue? RxCompletions;
        public Mlx5CompletionQueue? TxCompletions;
        public Mlx5SendQueue? SendQueue;
        public Mlx5SinglePacketReceiver? SingleReceiver;
        public Mlx5StridingReceiver? StridingReceiver;

        /// <summary>Creates everything; returns an empty string, or the reason it stopped.</summary>
        public string Build(FramePool pool, Mlx5DeviceOptions o, string deviceName)
        {
            int error = NativeVerbsPlatform.OpenByName(deviceName, out Context);
            if (error != 0) return $"Opening {deviceName} failed with {Errno.Name(error)}.";

            bool striding = o.UseStridingReceive && StridingFits(o, pool);
            Pd = LibIbverbs.AllocPd(Context);
            if (Pd == null) return Failed("ibv_alloc_pd");
            Mr = LibIbverbs.RegMr(Pd, pool.BaseAddress, (nuint)pool.SizeInBytes, LibIbverbs.AccessLocalWrite);
            if (Mr == null) return Failed("ibv_reg_mr over the frame pool");
            Channel = LibIbverbs.CreateCompChannel(Context);
            if (Channel == null) return Failed("ibv_create_comp_channel");
            int rxCqes = striding ? o.ReceiveQueueSize * o.StridesPerWqe : o.ReceiveQueueSize;
            RxCq = LibIbverbs.CreateCq(Context, rxCqes, 0, Channel, 0);
            if (RxCq == null) return Failed("ibv_create_cq (receive)");
            TxCq = LibIbverbs.CreateCq(Context, o.SendQueueSize, 0, null, 0);
            if (TxCq == null) return Failed("ibv_create_cq (send)");

            IbvWqInitAttr wqAttr = default;
            wqAttr.WqType = IbvWqInitAttr.TypeRq;
            wqAttr.MaxWr = (uint)o.ReceiveQueueSize;
            wqAttr.MaxSge = 1;
            wqAttr.Pd = (nint)Pd;
            wqAttr.Cq = (nint)RxCq;
            Mlx5DvWqInitAttr dvAttr = default;
            if (striding)
            {
                dvAttr.CompMask = Mlx5DvWqInitAttr.MaskStridingRq;
                dvAttr.StridingRqAttrs.SingleStrideLogNumOfBytes = (uint)int.Log2(pool.FrameSize);
                dvAttr.StridingRqAttrs.SingleWqeLogNumOfStrides = (uint)int.Log2(o.StridesPerWqe);
            }
            Wq = LibMlx5.CreateWq(Context, &wqAttr, &dvAttr);
            if (Wq == null) return Failed("mlx5dv_create_wq");
            VerbsOps.InitializeWq(Wq, 0);
            IbvWqAttr ready = default;
            ready.AttrMask = IbvWqAttr.AttrState;
            ready.WqState = IbvWqAttr.StateReady;
            error = VerbsOps.ModifyWq(Wq, &ready);
            if (error != 0) return $"ibv_modify_wq to ready failed with {Errno.Name(error)}.";

            IbvWq* table = Wq;
            IbvRwqIndTableInitAttr tableAttr = default;
            tableAttr.IndTbl = (nint)(&table);
            Indirection = VerbsOps.CreateRwqIndTable(Context, &tableAttr, out error);
            if (Indirection == null) return $"ibv_create_rwq_ind_table failed with {Errno.Name(error)}.";

            RssKey = Marshal.AllocHGlobal(s_zeroRssKey.Length);
            new Span<byte>((void*)RssKey, s_zeroRssKey.Length).Clear();
            IbvQpInitAttrEx rxAttr = default;
            rxAttr.QpType = IbvQpConstants.QptRawPacket;
            rxAttr.CompMask = IbvQpConstants.InitAttrPd | IbvQpConstants.InitAttrIndTable | IbvQpConstants.InitAttrRxHash;
            rxAttr.Pd = (nint)Pd;
            rxAttr.RwqIndTbl = (nint)Indirection;
            rxAttr.RxHashConf.RxHashFunction = IbvQpConstants.RxHashFuncToeplitz;
            rxAttr.RxHashConf.RxHashKeyLen = (byte)s_zeroRssKey.Length;
            rxAttr.RxHashConf.RxHashKey = RssKey;
            rxAttr.RxHashConf.RxHashFieldsMask = IbvQpConstants.RxHashSrcIpv4 | IbvQpConstants.RxHashDstIpv4;
            RxQp = VerbsOps.CreateQpEx(Context, &rxAttr, out error);
            if (RxQp == null) return $"Creating the RAW_PACKET receive QP failed with {Errno.Name(error)}.";

            string reason = InstallFlows(o);
            if (reason.Length != 0) return reason;

            IbvQpInitAttr txAttr = default;
            txAttr.SendCq = (nint)TxCq;
            txAttr.RecvCq = (nint)TxCq;
            txAttr.Cap.MaxSendWr = (uint)o.SendQueueSize;
            txAttr.Cap.MaxSendSge = 1;
            txAttr.Cap.MaxInlineData = Mlx5Prm.InlineHeaderSize;
            txAttr.QpType = IbvQpConstants.QptRawPacket;
            TxQp = LibIbverbs.CreateQp(Pd, &txAttr);
            if (TxQp == null) return Failed("Creating the RAW_PACKET send QP");
            IbvQpAttr state = default;
            state.QpState = IbvQpConstants.QpsInit;
            state.PortNum = o.Port;
            if ((error = LibIbverbs.ModifyQp(TxQp, &state, IbvQpConstants.AttrState | IbvQpConstants.AttrPort)) != 0) return $"Moving the send QP to INIT failed with {Errno.Name(error)}.";
            state = default;
            state.QpState = IbvQpConstants.QpsRtr;
            if ((error = LibIbverbs.ModifyQp(TxQp, &state, IbvQpConstants.AttrState)) != 0) return $"Moving the send QP to RTR failed with {Errno.Name(error)}.";
            state = default;
            state.QpState = IbvQpConstants.QpsRts;
            if ((error = LibIbverbs.ModifyQp(TxQp, &state, IbvQpConstants.AttrState)) != 0) return $"Moving the send QP to RTS failed with {Errno.Name(error)}.";

            Mlx5DvQp txDv;
            Mlx5DvCq txCqDv;
            Mlx5DvCq rxCqDv;
            Mlx5DvRwq rwqDv;
            Mlx5DvObj obj = default;
            obj.QpIn = (nint)TxQp;
            obj.QpOut = (nint)(&txDv);
            obj.CqIn = (nint)TxCq;
            obj.CqOut = (nint)(&txCqDv);
            obj.RwqIn = (nint)Wq;
            obj.RwqOut = (nint)(&rwqDv);
            if ((error = LibMlx5.InitObj(&obj, Mlx5DvObj.TypeQp | Mlx5DvObj.TypeCq | Mlx5DvObj.TypeRwq)) != 0) return $"mlx5dv_init_obj failed with {Errno.Name(error)}.";
            obj = default;
            obj.CqIn = (nint)RxCq;
            obj.CqOut = (nint)(&rxCqDv);
            if ((error = LibMlx5.InitObj(&obj, Mlx5DvObj.TypeCq)) != 0) return $"mlx5dv_init_obj (receive CQ) failed with {Errno.Name(error)}.";
            if (txCqDv.CqeSize != Mlx5Prm.CqeSize || rxCqDv.CqeSize != Mlx5Prm.CqeSize) return "The completion queues use 128-byte CQEs; only 64-byte CQEs are supported.";

            TxCompletions = new Mlx5CompletionQueue((byte*)txCqDv.Buf, (int)txCqDv.CqeCnt, (uint*)txCqDv.Dbrec, (byte*)txCqDv.CqUar, txCqDv.Cqn);
            RxCompletions = new Mlx5CompletionQueue((byte*)rxCqDv.Buf, (int)rxCqDv.CqeCnt, (uint*)rxCqDv.Dbrec, (byte*)rxCqDv.CqUar, rxCqDv.Cqn);
            SendQueue = new Mlx5SendQueue((byte*)txDv.SqBuf, (int)txDv.SqWqeCnt, (int)txDv.SqStride, (uint*)txDv.Dbrec, (byte*)txDv.BfReg, (int)txDv.BfSize, TxQp->QpNum, Mr->Lkey);
            var rq = new Mlx5ReceiveQueue((byte*)rwqDv.Buf, (int)rwqDv.WqeCnt, (int)rwqDv.Stride, (uint*)rwqDv.Dbrec, Mr->Lkey, striding);
            if (striding) StridingReceiver = new Mlx5StridingReceiver(rq, pool, o.StridesPerWqe, Math.Max(o.StridingBlocks, rq.Capacity));
            else SingleReceiver = new Mlx5SinglePacketReceiver(rq, pool);
            return string.Empty;
        }

        private bool StridingFits(Mlx5DeviceOptions o, FramePool pool)
        {
            byte* buffer = stackalloc byte[Mlx5DvContext.BufferSize];
            new Span<byte>(buffer, Mlx5DvContext.BufferSize).Clear();
            var attr = (Mlx5DvContext*)buffer;
            attr->CompMask = Mlx5DvContext.MaskStridingRq;
            if (LibMlx5.QueryDevice(Context, attr) != 0 || (attr->CompMask & Mlx5DvContext.MaskStridingRq) == 0) return false;
            Mlx5DvStridingRqCaps caps = attr->StridingRqCaps;
            uint strideLog = (uint)int.Log2(pool.FrameSize);
            uint countLog = (uint)int.Log2(o.StridesPerWqe);
            return (caps.SupportedQpts & (1u << IbvQpConstants.QptRawPacket)) != 0
                && strideLog >= caps.MinSingleStrideLogNumOfBytes && strideLog <= caps.MaxSingleStrideLogNumOfBytes
                && countLog >= caps.MinSingleWqeLogNumOfStrides && countLog <= caps.MaxSingleWqeLogNumOfStrides;
        }

        private string InstallFlows(Mlx5DeviceOptions o)
        {
            Flows = new IbvFlow*[3];
            Span<byte> mac = stackalloc byte[6];
            o.MacAddress.Write(mac);
            Span<byte> broadcast = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
            // Unicast IP (by address when one is given), ARP to this MAC, and broadcast ARP.
            string r = AddFlow(0, mac, 0, o.Ipv4Address, o.Port);
            if (r.Length == 0 && o.Ipv4Address is not null) r = AddFlow(1, mac, EtherTypeArp, null, o.Port);
            if (r.Length == 0) r = AddFlow(2, broadcast, EtherTypeArp, null, o.Port);
            return r;
        }

        private string AddFlow(int index, ReadOnlySpan<byte> dstMac, ushort etherType, Ipv4Address? dstIp, byte port)
        {
            MacIpv4FlowRule rule = default;
            rule.Attr.Type = IbvFlowAttr.TypeNormal;
            rule.Attr.NumOfSpecs = (byte)(dstIp is null ? 1 : 2);
            rule.Attr.Size = (ushort)(sizeof(IbvFlowAttr) + sizeof(IbvFlowSpecEth) + (dstIp is null ? 0 : sizeof(IbvFlowSpecIpv4)));
            rule.Attr.Port = port;
            rule.Eth.Type = IbvFlowSpecEth.SpecType;
            rule.Eth.Size = (ushort)sizeof(IbvFlowSpecEth);
            for (int i = 0; i < 6; i++)
            {
                rule.Eth.Val.DstMac[i] = dstMac[i];
                rule.Eth.Mask.DstMac[i] = 0xff;
            }
            if (etherType != 0)
            {
                rule.Eth.Val.EtherType = BinaryPrimitives.ReverseEndianness(etherType);
                rule.Eth.Mask.EtherType = 0xffff;
            }
            if (dstIp is { } ip)
            {
                rule.Ipv4.Type = IbvFlowSpecIpv4.SpecType;
                rule.Ipv4.Size = (ushort)sizeof(IbvFlowSpecIpv4);
                Span<byte> bytes = stackalloc byte[4];
                ip.Write(bytes);
                rule.Ipv4.Val.DstIp = MemoryMarshal.Read<uint>(bytes);
                rule.Ipv4.Mask.DstIp = uint.MaxValue;
            }
            Flows![index] = VerbsOps.CreateFlow(RxQp, &rule.Attr, out int error);
            return Flows[index] == null ? $"ibv_create_flow failed with {Errno.Name(error)}: the port may not allow flow steering for this process." : string.Empty;
        }

        private static string Failed(string what) => $"{what} failed with {Errno.Name(Marshal.GetLastPInvokeError())}.";

        /// <inheritdoc/>
        public void Dispose() => Destroy();

        /// <summary>Destroys whatever exists, in reverse order of creation.</summary>
        public void Destroy()
        {
            if (Flows is not null)
            {
                foreach (IbvFlow* flow in Flows)
                {
                    if (flow != null) _ = VerbsOps.DestroyFlow(flow);
                }
            }
            if (TxQp != null) _ = LibIbverbs.DestroyQp(TxQp);
            if (RxQp != null) _ = LibIbverbs.DestroyQp(RxQp);
            if (Indirection != null) _ = VerbsOps.DestroyRwqIndTable(Indirection);
            if (Wq != null) _ = VerbsOps.DestroyWq(Wq);
            if (TxCq != null) _ = LibIbverbs.DestroyCq(TxCq);
            if (RxCq != null) _ = LibIbverbs.DestroyCq(RxCq);
            if (Channel != null) _ = LibIbverbs.DestroyCompChannel(Channel);
            if (Mr != null) _ = LibIbverbs.DeregMr(Mr);
            if (Pd != null) _ = LibIbverbs.DeallocPd(Pd);
            if (Context != null) _ = LibIbverbs.CloseDevice(Context);
            if (RssKey != 0) Marshal.FreeHGlobal(RssKey);
            StridingReceiver?.Dispose();
            SingleReceiver?.Dispose();
            Flows = null;
            TxQp = RxQp = null;
            Indirection = null;
            Wq = null;
            TxCq = RxCq = null;
            Channel = null;
            Mr = null;
            Pd = null;
            Context = null;
            RssKey = 0;
            StridingReceiver = null;
            SingleReceiver = null;
        }
    }
}
