using System.Net.Sockets;
using Junction.Conformance.Parsing;
using Junction.Stack.Tcp;

namespace Junction.Conformance.Running;

internal sealed partial class ScriptInterpreter
{
    private readonly Dictionary<int, SocketEntry> _fds = [];
    private BlockedCall? _blocked;

    private readonly record struct CallOutcome(long Result, string? Errno)
    {
        public static CallOutcome Ok(long result) => new(result, null);

        public static CallOutcome Error(string errno) => new(-1, errno);

        public override string ToString() => Errno is null ? Result.ToString(System.Globalization.CultureInfo.InvariantCulture) : $"-1 {Errno}";
    }

    /// <summary>A call that could not complete at once: retried after every poll until it does.</summary>
    private sealed record BlockedCall(string Name, int Line, SyscallSpec Spec, long StartMicros, long? EndMicros, Func<CallOutcome?> Attempt);

    /// <summary>packetdrill runs one blocking call at a time: a later call first waits for it.</summary>
    private void WaitForIdleSyscallThread()
    {
        if (_blocked is null) return;
        BlockedCall call = _blocked;
        if (!_host.AdvanceUntil(_runnerOptions.SimulatedTimeLimitMicros, () => _blocked is null))
            throw new ScriptFailure(call.Line, $"{call.Name}() never returned");
    }

    private void RunSyscall(SyscallEvent e, long start, long relativeOffset)
    {
        SyscallSpec spec = e.Call;
        Func<CallOutcome?> attempt = Prepare(spec, e.Line, start);
        long? end = spec.BlockingEndMicros is long b ? (e.Time.Kind == TimeKind.Relative ? relativeOffset + b : b) : null;
        var call = new BlockedCall(spec.Name, e.Line, spec, start, end, attempt);
        CallOutcome? outcome = attempt();
        if (outcome is CallOutcome done)
        {
            Complete(call, done);
            _host.Poll();
            return;
        }
        _blocked = call;
        if (end is null)
        {
            // Not written as blocking: the script's thread waits here, as packetdrill's would.
            WaitForIdleSyscallThread();
        }
    }

    /// <summary>After every poll: lets a blocked call finish at the instant it can.</summary>
    private void CheckBlockedCall()
    {
        if (_blocked is not BlockedCall call) return;
        CallOutcome? outcome = call.Attempt();
        if (outcome is not CallOutcome done) return;
        _blocked = null;
        _host.ExternalDeadline = long.MaxValue;
        Complete(call, done);
        _host.Poll();
    }

    private void Complete(BlockedCall call, CallOutcome outcome)
    {
        if (call.EndMicros is long end)
        {
            long now = _host.ScriptNow;
            long tolerance = Tolerance(call.StartMicros, end);
            if (now < end - tolerance || now > end + tolerance)
            {
                throw new ScriptFailure(call.Line,
                    $"timing error: expected system call {call.Name}() to return at {SimulatedHost.FormatTime(end)} sec but it returned at {SimulatedHost.FormatTime(now)} sec; tolerance {SimulatedHost.FormatTime(tolerance)} sec");
            }
        }
        Verify(call, outcome);
    }

    private static void Verify(BlockedCall call, CallOutcome outcome)
    {
        SyscallSpec spec = call.Spec;
        string expected = spec.Result + (spec.Errno is null ? "" : " " + spec.Errno);
        bool resultOk = spec.Result switch
        {
            EllipsisExpr => true,
            IntExpr i => i.Value == outcome.Result,
            WordExpr w when Symbols.TryGet(w.Name, out long v) => v == outcome.Result,
            _ => false,
        };
        bool errnoOk = NormalizeErrno(spec.Errno) == NormalizeErrno(outcome.Errno) || (spec.Errno is null && outcome.Errno is null);
        if (!resultOk || !errnoOk)
            throw new ScriptFailure(call.Line, $"{call.Name}() returned {outcome} but the script expects {expected}");
    }

    private static string? NormalizeErrno(string? errno) => errno == "EWOULDBLOCK" ? "EAGAIN" : errno;

    // ---- argument helpers ---------------------------------------------------------------------------

    private static long Int(Expr e, int line, string what) => e switch
    {
        IntExpr i => i.Value,
        WordExpr w when Symbols.TryGet(w.Name, out long v) => v,
        OrExpr or => Int(or.Left, line, what) | Int(or.Right, line, what),
        ListExpr { Items.Count: 1 } list => Int(list.Items[0], line, what),
        CallExpr { Name: "htons" or "htonl", Arguments.Count: 1 } call => Int(call.Arguments[0], line, what),
        _ => throw ScriptFailure.NotSupported(line, $"{what} '{e}'"),
    };

    private static void Arity(SyscallSpec spec, int line, params int[] counts)
    {
        if (!counts.Contains(spec.Arguments.Count))
            throw new ScriptFailure(line, $"{spec.Name}() takes {string.Join(" or ", counts)} arguments, the script passes {spec.Arguments.Count}");
    }

    /// <summary>
    /// The descriptor for a new socket: the number the script expects it to be (packetdrill maps script fds to live
    /// ones, so a script may call its first socket 4), else the lowest free one from 3.
    /// </summary>
    private int ScriptFd(SyscallSpec spec, int line)
    {
        if (spec.Result is IntExpr { Value: >= 0 } expected)
        {
            int wanted = (int)expected.Value;
            if (_fds.ContainsKey(wanted)) throw new ScriptFailure(line, $"{spec.Name}() is expected to return fd {wanted}, which is still open");
            return wanted;
        }
        int fd = 3;
        while (_fds.ContainsKey(fd)) fd++;
        return fd;
    }

    /// <summary>The port of a sockaddr argument, or the default 8080 for <c>...</c>.</summary>
    private static ushort Port(Expr address, int line)
    {
        if (address is StructExpr s && s.Field("sin_port") is Expr port) return (ushort)Int(port, line, "port");
        if (address is EllipsisExpr) return DefaultPort;
        throw ScriptFailure.NotSupported(line, $"address '{address}'");
    }

    private static bool IsSynchronized(TcpConnection c) =>
        c.State is TcpState.Established or TcpState.FinWait1 or TcpState.FinWait2 or TcpState.CloseWait or TcpState.Closing or TcpState.LastAck or TcpState.TimeWait;

    private void ApplyBufferDefaults(SocketEntry entry)
    {
        // Junction sizes buffers (and so the window scale it offers) when a connection is created: socket sizes set
        // before listen/connect become the instance's defaults.
        if (entry.Options.TryGetValue("SO_RCVBUF", out long rcv)) _host.Settings.ReceiveBufferSize = (int)rcv;
        if (entry.Options.TryGetValue("SO_SNDBUF", out long snd)) _host.Settings.SendBufferSize = (int)snd;
    }

    // ---- the calls ----------------------------------------------------------------------------------

    private Func<CallOutcome?> Prepare(SyscallSpec spec, int line, long start)
    {
        IReadOnlyList<Expr> a = spec.Arguments;
        switch (spec.Name)
        {
            case "socket":
            {
                Arity(spec, line, 3);
                long type = Int(a[1], line, "socket type");
                if ((type & 0xF) != 1) throw ScriptFailure.NotSupported(line, "sockets other than SOCK_STREAM");
                return () =>
                {
                    int fd = ScriptFd(spec, line);
                    _fds.Add(fd, new SocketEntry { NonBlocking = (type & 0x800) != 0 });
                    _socketUnderTest = fd;
                    return CallOutcome.Ok(fd);
                };
            }
            case "close":
                Arity(spec, line, 1);
                return () => WithFd(a[0], line, (fd, entry) =>
                {
                    _fds.Remove(fd);
                    if (entry.Connection is TcpConnection c)
                    {
                        if (entry.LingerZero) c.Abort();
                        else c.Close();
                    }
                    entry.Listener?.Dispose();
                    return CallOutcome.Ok(0);
                });
            case "bind":
                Arity(spec, line, 3);
                return () => WithFd(a[0], line, (_, entry) =>
                {
                    entry.BoundPort = Port(a[1], line);
                    return CallOutcome.Ok(0);
                });
            case "listen":
            {
                Arity(spec, line, 2);
                int backlog = (int)Int(a[1], line, "backlog");
                return () => WithFd(a[0], line, (_, entry) =>
                {
                    if (entry.Listener is not null) return CallOutcome.Ok(0);
                    if (entry.Connection is not null) return CallOutcome.Error("EINVAL");
                    ushort port = entry.BoundPort == 0 ? DefaultPort : entry.BoundPort;
                    ApplyBufferDefaults(entry);
                    try
                    {
                        entry.Listener = _host.Stack.TcpListen(port, Math.Max(1, backlog));
                    }
                    catch (SocketException ex)
                    {
                        return CallOutcome.Error(Symbols.Errno(ex.SocketErrorCode));
                    }
                    _listeningPort = port;
                    _underTest = null;
                    return CallOutcome.Ok(0);
                });
            }
            case "accept" or "accept4":
                Arity(spec, line, 3, 4);
                return () => WithFd(a[0], line, (_, entry) =>
                {
                    if (entry.Listener is not TcpListenEndpoint listener) return CallOutcome.Error("EINVAL");
                    if (listener.TryAccept(out TcpConnection? connection))
                    {
                        int fd = ScriptFd(spec, line);
                        var accepted = new SocketEntry { Connection = connection, Connected = true };
                        foreach ((string name, long value) in entry.Options) accepted.Options[name] = value;
                        accepted.ApplyOptions(connection);
                        _fds.Add(fd, accepted);
                        _socketUnderTest = fd;
                        return CallOutcome.Ok(fd);
                    }
                    return entry.NonBlocking ? CallOutcome.Error("EAGAIN") : null;
                });
            case "connect":
                Arity(spec, line, 3);
                return Connect(a, line);
            case "read" or "recv" or "recvfrom":
                Arity(spec, line, 3, 4, 6);
                return Read(spec, line);
            case "write" or "send" or "sendto":
                Arity(spec, line, 3, 4, 6);
                return Write(spec, line);
            case "shutdown":
            {
                Arity(spec, line, 2);
                long how = Int(a[1], line, "shutdown how");
                return () => WithFd(a[0], line, (_, entry) =>
                {
                    if (entry.Connection is not TcpConnection c || !IsSynchronized(c) && c.State != TcpState.Closed) return CallOutcome.Error("ENOTCONN");
                    if (how is 0 or 2) entry.ReadShutdown = true;
                    if (how is 1 or 2 && !entry.WriteShutdown)
                    {
                        entry.WriteShutdown = true;
                        try
                        {
                            c.ShutdownSend();
                        }
                        catch (SocketException ex)
                        {
                            return CallOutcome.Error(Symbols.Errno(ex.SocketErrorCode));
                        }
                    }
                    return CallOutcome.Ok(0);
                });
            }
            case "fcntl":
            {
                Arity(spec, line, 2, 3);
                long command = Int(a[1], line, "fcntl command");
                return () => WithFd(a[0], line, (_, entry) =>
                {
                    if (command == 3) return CallOutcome.Ok(2 | (entry.NonBlocking ? 0x800 : 0));
                    if (command != 4) throw ScriptFailure.NotSupported(line, $"fcntl command {a[1]}");
                    entry.NonBlocking = (Int(a[2], line, "fcntl flags") & 0x800) != 0;
                    return CallOutcome.Ok(0);
                });
            }
            case "setsockopt":
                Arity(spec, line, 5);
                return SetSockOpt(a, line);
            case "getsockopt":
                Arity(spec, line, 5);
                return GetSockOpt(a, line);
            case "ioctl":
                Arity(spec, line, 3);
                return Ioctl(a, line);
            case "poll":
                Arity(spec, line, 3);
                return Poll(a, line, start);
            default:
                throw ScriptFailure.NotSupported(line, $"system call {spec.Name}()");
        }
    }

    private CallOutcome? WithFd(Expr fdExpr, int line, Func<int, SocketEntry, CallOutcome?> action)
    {
        int fd = (int)Int(fdExpr, line, "file descriptor");
        return _fds.TryGetValue(fd, out SocketEntry? entry) ? action(fd, entry) : CallOutcome.Error("EBADF");
    }

    private Func<CallOutcome?> Connect(IReadOnlyList<Expr> a, int line)
    {
        ushort port = Port(a[1], line);
        return () => WithFd(a[0], line, (_, entry) =>
        {
            if (entry.Connection is TcpConnection existing)
            {
                if (entry.Connected) return CallOutcome.Error("EISCONN");
                if (IsSynchronized(existing))
                {
                    entry.Connected = true;
                    entry.Connecting = false;
                    return CallOutcome.Ok(0);
                }
                if (existing.State == TcpState.Closed)
                {
                    entry.Connecting = false;
                    if (existing.Error == SocketError.Success) return CallOutcome.Error("ECONNABORTED");
                    entry.PendingError = null;
                    return CallOutcome.Error(Symbols.Errno(existing.Error));
                }
                if (entry.Connecting && entry.NonBlocking) return CallOutcome.Error("EALREADY");
                return null;
            }
            if (entry.Listener is not null) return CallOutcome.Error("EINVAL");
            ApplyBufferDefaults(entry);
            TcpConnection connection;
            try
            {
                connection = _host.Stack.TcpConnect(SimulatedHost.RemoteAddress, port, entry.BoundPort);
            }
            catch (SocketException ex)
            {
                return CallOutcome.Error(Symbols.Errno(ex.SocketErrorCode));
            }
            entry.Connection = connection;
            entry.ApplyOptions(connection);
            _underTest = Context(connection.LocalPort, port);
            _listeningPort = null;
            entry.Connecting = true;
            if (entry.NonBlocking) return CallOutcome.Error("EINPROGRESS");
            return null;
        });
    }

    private Func<CallOutcome?> Read(SyscallSpec spec, int line)
    {
        IReadOnlyList<Expr> a = spec.Arguments;
        int length = (int)Int(a[2], line, "length");
        long flags = a.Count >= 4 ? Int(a[3], line, "flags") : 0;
        if ((flags & ~0x40L) != 0) throw ScriptFailure.NotSupported(line, $"{spec.Name}() flags {a[3]}");
        byte[] buffer = new byte[Math.Max(length, 0)];
        return () => WithFd(a[0], line, (_, entry) =>
        {
            if (entry.Connection is not TcpConnection c) return CallOutcome.Error("ENOTCONN");
            if (c.State == TcpState.SynSent && entry.NonBlocking) return CallOutcome.Error("EAGAIN");
            try
            {
                // After shutdown(SHUT_RD) Linux's tcp_recvmsg still hands out queued bytes, also ones that arrive
                // later; only an empty queue reads as end of stream.
                int read = c.Receive(buffer);
                if (read > 0) return CallOutcome.Ok(read);
            }
            catch (SocketException ex)
            {
                return CallOutcome.Error(Symbols.Errno(ex.SocketErrorCode));
            }
            if (entry.ReadShutdown || c.IsReceiveComplete || c.State == TcpState.Closed) return CallOutcome.Ok(0);
            return entry.NonBlocking || (flags & 0x40) != 0 ? CallOutcome.Error("EAGAIN") : null;
        });
    }

    private Func<CallOutcome?> Write(SyscallSpec spec, int line)
    {
        IReadOnlyList<Expr> a = spec.Arguments;
        int length = (int)Int(a[2], line, "length");
        long flags = a.Count >= 4 ? Int(a[3], line, "flags") : 0;
        if ((flags & ~(0x40L | 0x4000L)) != 0) throw ScriptFailure.NotSupported(line, $"{spec.Name}() flags {a[3]}");
        byte[] data = new byte[Math.Max(length, 0)];
        int written = 0;
        return () => WithFd(a[0], line, (_, entry) =>
        {
            if (entry.Connection is not TcpConnection c) return CallOutcome.Error("EPIPE");
            bool nonBlocking = entry.NonBlocking || (flags & 0x40) != 0;
            if (c.State is TcpState.SynSent or TcpState.SynReceived) return nonBlocking ? CallOutcome.Error("EAGAIN") : null;
            try
            {
                written += c.Send(data.AsSpan(written));
            }
            catch (SocketException ex)
            {
                return written > 0 ? CallOutcome.Ok(written) : CallOutcome.Error(Symbols.Errno(ex.SocketErrorCode));
            }
            if (written == data.Length) return CallOutcome.Ok(written);
            if (nonBlocking) return written > 0 ? CallOutcome.Ok(written) : CallOutcome.Error("EAGAIN");
            return null;
        });
    }

    private static readonly HashSet<string> SettableOptions =
        ["SO_REUSEADDR", "SO_REUSEPORT", "TCP_NODELAY", "SO_KEEPALIVE", "TCP_KEEPIDLE", "TCP_KEEPINTVL", "TCP_KEEPCNT", "SO_RCVBUF", "SO_SNDBUF", "SO_LINGER"];

    private Func<CallOutcome?> SetSockOpt(IReadOnlyList<Expr> a, int line)
    {
        string name = a[2] is WordExpr w ? w.Name : throw ScriptFailure.NotSupported(line, $"socket option '{a[2]}'");
        if (!SettableOptions.Contains(name)) throw ScriptFailure.NotSupported(line, $"setsockopt {name}");
        return () => WithFd(a[0], line, (_, entry) =>
        {
            if (name == "SO_LINGER")
            {
                if (a[3] is not StructExpr linger || linger.Field("onoff") is not Expr onoff || linger.Field("linger") is not Expr seconds)
                    throw new ScriptFailure(line, "SO_LINGER needs {onoff=..., linger=...}");
                bool zero = Int(onoff, line, "onoff") != 0 && Int(seconds, line, "linger") == 0;
                if (Int(onoff, line, "onoff") != 0 && !zero) throw ScriptFailure.NotSupported(line, "SO_LINGER with a non-zero timeout");
                entry.LingerZero = zero;
                return CallOutcome.Ok(0);
            }
            long value = Int(a[3], line, "option value");
            entry.Options[name] = value;
            if (entry.Connection is TcpConnection c) SocketEntry.Apply(c, name, value);
            return CallOutcome.Ok(0);
        });
    }

    private Func<CallOutcome?> GetSockOpt(IReadOnlyList<Expr> a, int line)
    {
        string name = a[2] is WordExpr w ? w.Name : throw ScriptFailure.NotSupported(line, $"socket option '{a[2]}'");
        return () => WithFd(a[0], line, (_, entry) =>
        {
            TcpConnection? c = entry.Connection;
            long value = name switch
            {
                "SO_ERROR" => TakeError(entry),
                "TCP_NODELAY" => c is null ? entry.Options.GetValueOrDefault(name) : c.NoDelay ? 1 : 0,
                "SO_KEEPALIVE" => c is null ? entry.Options.GetValueOrDefault(name) : c.KeepAlive ? 1 : 0,
                "SO_REUSEADDR" or "SO_REUSEPORT" => entry.Options.GetValueOrDefault(name),
                "TCP_KEEPIDLE" => (long)(c?.KeepAliveTime ?? _host.Settings.KeepAliveTime).TotalSeconds,
                "TCP_KEEPINTVL" => (long)(c?.KeepAliveInterval ?? _host.Settings.KeepAliveInterval).TotalSeconds,
                "TCP_KEEPCNT" => c?.KeepAliveProbes ?? _host.Settings.KeepAliveProbes,
                "SO_RCVBUF" => entry.Options.TryGetValue(name, out long rcv) ? LinuxBufferSize(rcv, MinReceiveBuffer) : c?.ReceiveBufferSize ?? _host.Settings.ReceiveBufferSize,
                "SO_SNDBUF" => entry.Options.TryGetValue(name, out long snd) ? LinuxBufferSize(snd, MinSendBuffer) : c?.SendBufferSize ?? _host.Settings.SendBufferSize,
                "TCP_INFO" => CheckTcpInfo(c, a[3], line),
                "TCP_MAXSEG" when c is not null => c.Mss,
                _ => throw ScriptFailure.NotSupported(line, $"getsockopt {name}"),
            };
            if (a[3] is not EllipsisExpr && name != "TCP_INFO")
            {
                long expected = Int(a[3], line, "expected option value");
                if (expected != value) throw new ScriptFailure(line, $"getsockopt {name} gave {value} but the script expects {expected}");
            }
            return CallOutcome.Ok(0);
        });
    }

    // Linux's SOCK_MIN_RCVBUF / SOCK_MIN_SNDBUF on x86-64.
    private const long MinReceiveBuffer = 2304;
    private const long MinSendBuffer = 4608;

    /// <summary>
    /// What Linux reports for a buffer size the application set: double the value (the kernel reserves half for its
    /// bookkeeping), at least the minimum. Only the reported value: Junction's buffer keeps the size that was set.
    /// </summary>
    private static long LinuxBufferSize(long set, long minimum) => Math.Max(2 * set, minimum);

    /// <summary>getsockopt(TCP_INFO, {tcpi_x=N, ...}): every field named must have that value; <c>...</c> checks nothing.</summary>
    private long CheckTcpInfo(TcpConnection? connection, Expr expected, int line)
    {
        if (expected is EllipsisExpr) return 0;
        if (expected is not StructExpr fields) throw new ScriptFailure(line, $"TCP_INFO needs {{tcpi_field=value, ...}}, not '{expected}'");
        if (connection is null) throw new ScriptFailure(line, "getsockopt TCP_INFO on a socket without a connection");
        TcpConnectionInfo info = connection.SnapshotInfo();
        foreach (Expr item in fields.Items)
        {
            if (item is not AssignExpr field) throw new ScriptFailure(line, $"TCP_INFO expectation '{item}' is not tcpi_field=value");
            long actual = TcpInfoFields.Get(field.Name, info, _host.Now, line);
            long wanted = Int(field.Value, line, field.Name);
            if (actual != wanted) throw new ScriptFailure(line, $"getsockopt TCP_INFO gave {field.Name}={actual} but the script expects {wanted}");
        }
        return 0;
    }

    private static long TakeError(SocketEntry entry)
    {
        if (entry.Connection is TcpConnection c && c.Error != SocketError.Success && entry.PendingError is null && !entry.Connected)
        {
            entry.PendingError = c.Error;
            entry.Connecting = false;
            entry.Connected = true;
            return Symbols.ErrnoValue(Symbols.Errno(c.Error));
        }
        return 0;
    }

    private Func<CallOutcome?> Ioctl(IReadOnlyList<Expr> a, int line)
    {
        long request = Int(a[1], line, "ioctl request");
        return () => WithFd(a[0], line, (_, entry) =>
        {
            if (entry.Connection is not TcpConnection c) return CallOutcome.Error("EINVAL");
            long value = request switch
            {
                0x541B => c.ReceiveAvailable,
                0x5411 => c.SendQueued,
                _ => throw ScriptFailure.NotSupported(line, $"ioctl {a[1]}"),
            };
            long expected = Int(a[2], line, "expected ioctl value");
            if (expected != value) throw new ScriptFailure(line, $"ioctl {a[1]} gave {value} but the script expects {expected}");
            return CallOutcome.Ok(0);
        });
    }

    private Func<CallOutcome?> Poll(IReadOnlyList<Expr> a, int line, long start)
    {
        if (a[0] is not ListExpr list) throw new ScriptFailure(line, "poll() needs a list of {fd=..., events=...}");
        long timeoutMs = Int(a[2], line, "poll timeout");
        var fds = new List<(int Fd, long Events, long Revents)>();
        foreach (Expr item in list.Items)
        {
            if (item is not StructExpr s || s.Field("fd") is not Expr fd || s.Field("events") is not Expr events)
                throw new ScriptFailure(line, $"bad pollfd '{item}'");
            fds.Add(((int)Int(fd, line, "fd"), Int(events, line, "events"), s.Field("revents") is Expr r ? Int(r, line, "revents") : 0));
        }
        long deadline = timeoutMs < 0 ? long.MaxValue : start + timeoutMs * 1000;
        return () =>
        {
            var actual = new long[fds.Count];
            int ready = 0;
            for (int i = 0; i < fds.Count; i++)
            {
                actual[i] = PollEvents(fds[i].Fd) & (fds[i].Events | 0x8 | 0x10 | 0x20);
                if (actual[i] != 0) ready++;
            }
            if (ready == 0 && _host.ScriptNow < deadline)
            {
                _host.ExternalDeadline = deadline;
                return null;
            }
            for (int i = 0; i < fds.Count; i++)
            {
                if (actual[i] != fds[i].Revents)
                    throw new ScriptFailure(line, $"poll() gave revents 0x{actual[i]:x} for fd {fds[i].Fd} but the script expects 0x{fds[i].Revents:x}");
            }
            return CallOutcome.Ok(ready);
        };
    }

    private long PollEvents(int fd)
    {
        if (!_fds.TryGetValue(fd, out SocketEntry? entry)) return 0x20;
        if (entry.Listener is TcpListenEndpoint listener) return listener.PendingCount > 0 ? 0x1 | 0x40 : 0;
        if (entry.Connection is not TcpConnection c) return 0x4 | 0x10;
        long events = 0;
        bool peerClosed = c.IsReceiveComplete || c.State is TcpState.CloseWait or TcpState.LastAck or TcpState.Closing or TcpState.TimeWait;
        if (c.ReceiveAvailable > 0 || peerClosed || c.Error != SocketError.Success || entry.ReadShutdown) events |= 0x1 | 0x40;
        if (peerClosed || entry.ReadShutdown) events |= 0x2000;
        if (c.State is TcpState.Established or TcpState.CloseWait && c.SendFree > 0 && !entry.WriteShutdown) events |= 0x4 | 0x100;
        if (c.Error != SocketError.Success && entry.PendingError is null) events |= 0x8;
        if (c.State == TcpState.Closed || (entry.WriteShutdown && peerClosed)) events |= 0x10;
        return events;
    }
}
