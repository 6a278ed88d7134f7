using System.Runtime.InteropServices;

namespace Junction.Interop;

/// <summary>process_vm_readv(2) and process_vm_writev(2): another process's memory, one range at a time.</summary>
internal static unsafe partial class Libc
{
    [StructLayout(LayoutKind.Sequential)]
    internal struct IoVec
    {
        internal void* Base;
        internal nuint Length;
    }

    [LibraryImport(Libraries.Libc, EntryPoint = "process_vm_readv", SetLastError = true)]
    internal static partial nint ProcessVmReadv(int pid, IoVec* local, nuint localCount, IoVec* remote, nuint remoteCount, nuint flags);

    [LibraryImport(Libraries.Libc, EntryPoint = "process_vm_writev", SetLastError = true)]
    internal static partial nint ProcessVmWritev(int pid, IoVec* local, nuint localCount, IoVec* remote, nuint remoteCount, nuint flags);
}
