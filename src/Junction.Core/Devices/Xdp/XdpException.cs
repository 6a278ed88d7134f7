namespace Junction.Devices.Xdp;

/// <summary>Setting up AF_XDP failed; the message says what the kernel refused and what to do about it.</summary>
public sealed class XdpException : IOException
{
    /// <summary>Creates an exception without an errno.</summary>
    public XdpException()
    {
    }

    /// <summary>Creates an exception with a message and no errno.</summary>
    public XdpException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception that wraps another.</summary>
    public XdpException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an exception for a failed Linux call.</summary>
    public XdpException(string message, int errno)
        : base(message) => Errno = errno;

    /// <summary>The Linux errno of the failed call (0 if none).</summary>
    public int Errno { get; }
}
