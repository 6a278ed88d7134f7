using System.Runtime.InteropServices;
using Junction.Interop;

namespace Junction.Lab;

/// <summary>
/// The few Linux operations the lab needs: entering a network namespace (per thread) and interface ioctls
/// (index, hardware address, transmit checksum offload), so it needs neither ethtool nor sysfs of the namespace.
/// </summary>
internal static unsafe class LabInterop
{
    private const int AfInet = 2;
    private const int SockDgram = 2;
    private const int SockCloexec = 0x80000;
    private const nuint SiocGifHwAddr = 0x8927;
    private const nuint SiocGifIndex = 0x8933;
    private const nuint SiocEthtool = 0x8946;
    private const uint EthtoolGetTxChecksum = 0x16;
    private const uint EthtoolSetTxChecksum = 0x17;
    private const int InterfaceNameSize = 16;

    public static uint GetEffectiveUserId() => Libc.GetEUid();

    /// <summary>Moves the calling thread (only it) into the network namespace behind <paramref name="path"/>.</summary>
    public static void EnterNetworkNamespace(string path)
    {
        using Microsoft.Win32.SafeHandles.SafeFileHandle handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read);
        if (Libc.SetNs((int)handle.DangerousGetHandle(), Libc.CLONE_NEWNET) != 0)
            throw new InvalidOperationException($"setns into {path} failed: {Marshal.GetLastPInvokeErrorMessage()}.");
    }

    /// <summary>The interface index of <paramref name="name"/> in the calling thread's namespace.</summary>
    public static int GetInterfaceIndex(string name)
    {
        Span<byte> request = stackalloc byte[40];
        InterfaceIoctl(name, SiocGifIndex, request, "SIOCGIFINDEX");
        // The index is the int at the start of the union after the name.
        return BitConverter.ToInt32(request[InterfaceNameSize..]);
    }

    /// <summary>The hardware address of <paramref name="name"/> in the calling thread's namespace.</summary>
    public static Wire.MacAddress GetHardwareAddress(string name)
    {
        Span<byte> request = stackalloc byte[40];
        InterfaceIoctl(name, SiocGifHwAddr, request, "SIOCGIFHWADDR");
        // struct sockaddr: a 2-byte family, then the address bytes.
        return Wire.MacAddress.Read(request.Slice(InterfaceNameSize + 2, 6));
    }

    /// <summary>
    /// Switches transmit checksum offload of <paramref name="name"/> on or off, as <c>ethtool -K name tx off</c> does
    /// (the legacy ETHTOOL_STXCSUM command clears every checksum feature, and TSO with them).
    /// </summary>
    public static void SetTxChecksumOffload(string name, bool enabled)
    {
        uint* value = stackalloc uint[2];
        value[0] = EthtoolSetTxChecksum;
        value[1] = enabled ? 1u : 0u;
        EthtoolIoctl(name, value, "ETHTOOL_STXCSUM");
    }

    /// <summary>Whether transmit checksum offload of <paramref name="name"/> is on.</summary>
    public static bool GetTxChecksumOffload(string name)
    {
        uint* value = stackalloc uint[2];
        value[0] = EthtoolGetTxChecksum;
        value[1] = 0;
        EthtoolIoctl(name, value, "ETHTOOL_GTXCSUM");
        return value[1] != 0;
    }

    private static void EthtoolIoctl(string name, uint* command, string what)
    {
        Span<byte> request = stackalloc byte[40];
        // struct ifreq: the name, then ifr_data pointing at the ethtool command.
        MemoryMarshal.Write(request[InterfaceNameSize..], (nint)command);
        InterfaceIoctl(name, SiocEthtool, request, what);
    }

    private static void InterfaceIoctl(string name, nuint command, Span<byte> request, string what)
    {
        if (name.Length >= InterfaceNameSize) throw new ArgumentException($"Interface name '{name}' is longer than 15 characters.", nameof(name));
        request[..InterfaceNameSize].Clear();
        for (int i = 0; i < name.Length; i++) request[i] = (byte)name[i];
        int fd = Libc.Socket(AfInet, SockDgram | SockCloexec, 0);
        if (fd < 0) throw new InvalidOperationException($"socket() for {what} failed: {Marshal.GetLastPInvokeErrorMessage()}.");
        try
        {
            fixed (byte* pointer = request)
            {
                if (Libc.Ioctl(fd, command, pointer) != 0)
                    throw new InvalidOperationException($"{what} on {name} failed: {Marshal.GetLastPInvokeErrorMessage()}.");
            }
        }
        finally
        {
            Libc.Close(fd);
        }
    }
}
