namespace Junction.Lab;

/// <summary>One end of the lab's veth pair, each in its own network namespace.</summary>
public enum LabSide
{
    /// <summary>
    /// Where Junction instances run: their AF_XDP sockets sit on this side's interface, and the addresses they use
    /// (<see cref="JunctionLab.JunctionAddress"/> and up) are not the kernel's here, so it never answers for them.
    /// </summary>
    Server,

    /// <summary>The Linux peer: the kernel's own stack with <see cref="JunctionLab.ClientAddress"/>.</summary>
    Client,
}
