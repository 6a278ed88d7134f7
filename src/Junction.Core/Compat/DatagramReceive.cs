namespace Junction.Compat;

/// <summary>
/// A recvfrom or recvmsg with an address on a Junction UDP socket: where the payload goes (one buffer, or an iovec
/// array for recvmsg), where the sender's address and its length go, and the msghdr to update. Kept while a blocking
/// call waits, with a copy of the program's end to take the datagram from.
/// </summary>
internal sealed record DatagramReceive(
    ulong Id,
    int Pid,
    int Flags,
    (ulong Address, long Length)[] Buffers,
    ulong NamePointer,
    ulong NameLengthPointer,
    int NameCapacity,
    ulong MessageHeader,
    int ProgramEndCopy);
