using System.Runtime.InteropServices;

namespace Junction.Interop;

/// <summary>Owns a Linux file descriptor (a socket, a BPF map, program or link, an epoll or event fd) and closes it once.</summary>
internal sealed class SafeFileDescriptorHandle : SafeHandle
{
    /// <summary>Creates an invalid handle (for marshalling).</summary>
    public SafeFileDescriptorHandle()
        : base(-1, ownsHandle: true)
    {
    }

    /// <summary>Takes ownership of <paramref name="fd"/>.</summary>
    public SafeFileDescriptorHandle(int fd)
        : base(-1, ownsHandle: true) => SetHandle(fd);

    /// <inheritdoc/>
    public override bool IsInvalid => handle < 0;

    /// <summary>The descriptor number (valid until the handle is disposed).</summary>
    public int Fd => (int)handle;

    /// <inheritdoc/>
    protected override bool ReleaseHandle() => Libc.Close((int)handle) == 0;
}
