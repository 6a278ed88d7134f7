using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Junction.Cli.Load;

/// <summary>
/// sendmmsg(2) on a connected UDP socket: one system call sends a whole batch of datagrams, as a packet blaster
/// (iperf3 -u, pktgen-like tools) does, so the sender is not limited by one system call per datagram.
/// The message vector lives in unmanaged memory built once; LP64 layout (x64, arm64).
/// </summary>
internal sealed class SendMmsg : IDisposable
{
    // struct mmsghdr { struct msghdr msg_hdr; unsigned int msg_len; } is 64 bytes on LP64: msghdr is 56.
    private const int MmsgHeaderSize = 64;
    private const int IovecSize = 16;
    private const int IovOffset = 16;
    private const int IovLengthOffset = 24;

    private readonly Socket _socket;
    private readonly int _batch;
    private readonly nint _vector;
    private readonly nint _iovecs;
    private readonly nint _payload;

    public SendMmsg(Socket connected, int datagramLength, int batch)
    {
        if (!OperatingSystem.IsLinux() || nint.Size != 8) throw new PlatformNotSupportedException("sendmmsg batching is written for 64-bit Linux.");
        _socket = connected;
        _batch = batch;
        _payload = Marshal.AllocHGlobal(datagramLength);
        _iovecs = Marshal.AllocHGlobal(IovecSize * batch);
        _vector = Marshal.AllocHGlobal(MmsgHeaderSize * batch);
        for (int i = 0; i < datagramLength; i++) Marshal.WriteByte(_payload, i, 0);
        for (int i = 0; i < MmsgHeaderSize * batch; i++) Marshal.WriteByte(_vector, i, 0);
        for (int i = 0; i < batch; i++)
        {
            nint iov = _iovecs + i * IovecSize;
            Marshal.WriteIntPtr(iov, _payload);
            Marshal.WriteInt64(iov, 8, datagramLength);
            nint header = _vector + i * MmsgHeaderSize;
            Marshal.WriteIntPtr(header, IovOffset, iov);
            Marshal.WriteInt64(header, IovLengthOffset, 1);
        }
    }

    /// <summary>Sends one batch; returns how many datagrams the kernel took (0 when it refused them for now).</summary>
    public int Send()
    {
        int sent = SendMessages((int)_socket.SafeHandle.DangerousGetHandle(), _vector, (uint)_batch, 0);
        return Math.Max(sent, 0);
    }

    public void Dispose()
    {
        Marshal.FreeHGlobal(_vector);
        Marshal.FreeHGlobal(_iovecs);
        Marshal.FreeHGlobal(_payload);
    }

    // Every argument is blittable.
    [DllImport("libc", EntryPoint = "sendmmsg")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int SendMessages(int fd, nint vector, uint length, int flags);
}
