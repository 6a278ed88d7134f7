namespace Junction.Stack.Tcp;

/// <summary>The states of a TCP connection (RFC 9293 3.3.2).</summary>
public enum TcpState
{
    /// <summary>No connection: never opened, or finished.</summary>
    Closed,
    /// <summary>Waiting for a connection request (listeners only).</summary>
    Listen,
    /// <summary>Sent a SYN, waiting for the matching SYN-ACK.</summary>
    SynSent,
    /// <summary>Received and sent a SYN, waiting for the acknowledgment of ours.</summary>
    SynReceived,
    /// <summary>Open: data flows both ways.</summary>
    Established,
    /// <summary>We sent a FIN that is not acknowledged yet.</summary>
    FinWait1,
    /// <summary>Our FIN was acknowledged; waiting for the peer's FIN.</summary>
    FinWait2,
    /// <summary>The peer sent its FIN; waiting for the application to close.</summary>
    CloseWait,
    /// <summary>Both sides sent a FIN at the same time; waiting for the acknowledgment of ours.</summary>
    Closing,
    /// <summary>Peer closed first, then we sent our FIN; waiting for its acknowledgment.</summary>
    LastAck,
    /// <summary>Both FINs acknowledged; waiting so that old duplicates die out before the tuple is reused.</summary>
    TimeWait,
}
