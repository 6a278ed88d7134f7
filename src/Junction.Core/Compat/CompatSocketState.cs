namespace Junction.Compat;

/// <summary>Where an emulated socket is in its life, as the program sees it.</summary>
internal enum CompatSocketState
{
    /// <summary>Created by socket().</summary>
    Open,

    /// <summary>bind() took a port.</summary>
    Bound,

    /// <summary>listen() succeeded; connections queue for accept.</summary>
    Listening,

    /// <summary>connect() started the handshake.</summary>
    Connecting,

    /// <summary>Established: bytes flow between the program's end and the Junction connection.</summary>
    Connected,

    /// <summary>connect() failed; SO_ERROR tells why once.</summary>
    Failed,

    /// <summary>The program closed it (or exited) and the host let everything go.</summary>
    Closed,
}
