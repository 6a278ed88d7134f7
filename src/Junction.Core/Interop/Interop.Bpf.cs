using System.Runtime.InteropServices;

namespace Junction.Interop;

/// <summary>
/// bpf(2) through syscall(2) (libc has no wrapper). The attribute union is built in a zeroed buffer at the offsets of
/// linux/bpf.h; the kernel rejects non-zero bytes it does not know, so unused fields must stay zero.
/// </summary>
internal static unsafe partial class Bpf
{
    internal const int BPF_MAP_CREATE = 0;
    internal const int BPF_MAP_LOOKUP_ELEM = 1;
    internal const int BPF_MAP_UPDATE_ELEM = 2;
    internal const int BPF_MAP_DELETE_ELEM = 3;
    internal const int BPF_PROG_LOAD = 5;
    internal const int BPF_PROG_TEST_RUN = 10;
    internal const int BPF_LINK_CREATE = 28;

    internal const uint BPF_MAP_TYPE_HASH = 1;
    internal const uint BPF_MAP_TYPE_XSKMAP = 17;
    internal const uint BPF_PROG_TYPE_XDP = 6;
    internal const uint BPF_XDP = 37;

    internal const ulong BPF_ANY = 0;
    internal const ulong BPF_NOEXIST = 1;

    internal const uint XDP_FLAGS_SKB_MODE = 1 << 1;
    internal const uint XDP_FLAGS_DRV_MODE = 1 << 2;

    /// <summary>Big enough for every command used here; the kernel accepts a larger, zero-tailed size.</summary>
    private const int AttrSize = 128;

    [LibraryImport(Libraries.Libc, EntryPoint = "syscall", SetLastError = true)]
    private static partial long Syscall(long number, long command, void* attributes, long size);

    private static long SyscallNumber => RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => 321,
        Architecture.Arm64 => 280,
        _ => throw new PlatformNotSupportedException($"bpf(2) is wired up for x64 and arm64 only, not {RuntimeInformation.ProcessArchitecture}."),
    };

    /// <summary>Runs one bpf command; returns its result (a new fd for the create/load commands) or -1 with errno set.</summary>
    private static int Call(int command, byte* attributes) => (int)Syscall(SyscallNumber, command, attributes, AttrSize);

    internal static int MapCreate(uint mapType, uint keySize, uint valueSize, uint maxEntries, string name)
    {
        byte* attr = stackalloc byte[AttrSize];
        new Span<byte>(attr, AttrSize).Clear();
        *(uint*)(attr + 0) = mapType;
        *(uint*)(attr + 4) = keySize;
        *(uint*)(attr + 8) = valueSize;
        *(uint*)(attr + 12) = maxEntries;
        WriteName(new Span<byte>(attr + 28, 16), name);
        return Call(BPF_MAP_CREATE, attr);
    }

    internal static int MapUpdate(int mapFd, void* key, void* value, ulong flags)
    {
        byte* attr = stackalloc byte[AttrSize];
        new Span<byte>(attr, AttrSize).Clear();
        *(uint*)(attr + 0) = (uint)mapFd;
        *(ulong*)(attr + 8) = (ulong)key;
        *(ulong*)(attr + 16) = (ulong)value;
        *(ulong*)(attr + 24) = flags;
        return Call(BPF_MAP_UPDATE_ELEM, attr);
    }

    internal static int MapLookup(int mapFd, void* key, void* value)
    {
        byte* attr = stackalloc byte[AttrSize];
        new Span<byte>(attr, AttrSize).Clear();
        *(uint*)(attr + 0) = (uint)mapFd;
        *(ulong*)(attr + 8) = (ulong)key;
        *(ulong*)(attr + 16) = (ulong)value;
        return Call(BPF_MAP_LOOKUP_ELEM, attr);
    }

    internal static int MapDelete(int mapFd, void* key)
    {
        byte* attr = stackalloc byte[AttrSize];
        new Span<byte>(attr, AttrSize).Clear();
        *(uint*)(attr + 0) = (uint)mapFd;
        *(ulong*)(attr + 8) = (ulong)key;
        return Call(BPF_MAP_DELETE_ELEM, attr);
    }

    /// <summary>Loads a program; with a log buffer the verifier writes its reasoning there (log level 1).</summary>
    internal static int ProgramLoad(uint programType, ReadOnlySpan<ulong> instructions, string license, string name, Span<byte> log)
    {
        byte[] licenseBytes = new byte[license.Length + 1];
        System.Text.Encoding.ASCII.GetBytes(license, licenseBytes);
        byte* attr = stackalloc byte[AttrSize];
        new Span<byte>(attr, AttrSize).Clear();
        fixed (ulong* insns = instructions)
        fixed (byte* licensePointer = licenseBytes)
        fixed (byte* logPointer = log)
        {
            *(uint*)(attr + 0) = programType;
            *(uint*)(attr + 4) = (uint)instructions.Length;
            *(ulong*)(attr + 8) = (ulong)insns;
            *(ulong*)(attr + 16) = (ulong)licensePointer;
            if (!log.IsEmpty)
            {
                *(uint*)(attr + 24) = 1;
                *(uint*)(attr + 28) = (uint)log.Length;
                *(ulong*)(attr + 32) = (ulong)logPointer;
            }
            WriteName(new Span<byte>(attr + 48, 16), name);
            return Call(BPF_PROG_LOAD, attr);
        }
    }

    /// <summary>Attaches <paramref name="programFd"/> to interface <paramref name="ifIndex"/> through a BPF link (detached when its fd closes).</summary>
    internal static int LinkCreateXdp(int programFd, int ifIndex, uint xdpFlags)
    {
        byte* attr = stackalloc byte[AttrSize];
        new Span<byte>(attr, AttrSize).Clear();
        *(uint*)(attr + 0) = (uint)programFd;
        *(uint*)(attr + 4) = (uint)ifIndex;
        *(uint*)(attr + 8) = BPF_XDP;
        *(uint*)(attr + 12) = xdpFlags;
        return Call(BPF_LINK_CREATE, attr);
    }

    /// <summary>Runs an XDP program once over <paramref name="packet"/> (BPF_PROG_TEST_RUN); returns the XDP action or -1 with errno set.</summary>
    internal static int TestRunXdp(int programFd, ReadOnlySpan<byte> packet)
    {
        byte* attr = stackalloc byte[AttrSize];
        new Span<byte>(attr, AttrSize).Clear();
        fixed (byte* data = packet)
        {
            *(uint*)(attr + 0) = (uint)programFd;
            *(uint*)(attr + 8) = (uint)packet.Length;
            *(ulong*)(attr + 16) = (ulong)data;
            *(uint*)(attr + 32) = 1;
            int result = Call(BPF_PROG_TEST_RUN, attr);
            return result < 0 ? result : (int)*(uint*)(attr + 4);
        }
    }

    private static void WriteName(Span<byte> destination, string name)
    {
        // BPF object names: at most 15 characters of [A-Za-z0-9_.], NUL-terminated.
        int length = Math.Min(name.Length, destination.Length - 1);
        for (int i = 0; i < length; i++) destination[i] = (byte)name[i];
    }
}
