namespace Junction.Compat;

/// <summary>A blocking accept or accept4 waiting for a connection: which call to answer and where its address goes.</summary>
internal readonly record struct AcceptRequest(ulong Id, int Pid, ulong AddressPointer, ulong LengthPointer, int Flags);
