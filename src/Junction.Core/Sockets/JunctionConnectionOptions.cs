namespace Junction.Sockets;

/// <summary>Buffers and back-pressure of a <see cref="JunctionConnection"/>. Null values take the stack's TCP settings.</summary>
public sealed record JunctionConnectionOptions
{
    /// <summary>
    /// The send buffer in bytes (rounded up to a power of two): how many written but unacknowledged bytes the writer
    /// keeps in device frames (TCP sends from them) before further writes spill and wait. Null takes the stack's
    /// <c>TcpSettings.SendBufferSize</c>.
    /// </summary>
    public int? SendBufferSize { get; init; }

    /// <summary>
    /// The receive buffer in bytes: the most received data held for the reader, the bound of the advertised window.
    /// When the reader does not advance, the window closes at this size (the reader's pause threshold); it reopens
    /// once the reader has consumed enough for a window update (the resume threshold, RFC 9293 3.8.6.2.2).
    /// </summary>
    public int? ReceiveBufferSize { get; init; }

    /// <summary>
    /// <c>FlushAsync</c> waits while this many flushed bytes are unacknowledged (or written bytes did not fit the
    /// send buffer). Null: the send buffer's size, i.e. the writer waits when the send buffer is full.
    /// </summary>
    public int? PauseWriterThreshold { get; init; }

    /// <summary>A waiting <c>FlushAsync</c> completes once unacknowledged bytes fell to this many. Null: half the pause threshold.</summary>
    public int? ResumeWriterThreshold { get; init; }

    /// <summary>Whether Nagle's algorithm is off. Null keeps the stack's setting.</summary>
    public bool? NoDelay { get; init; }

    /// <summary>
    /// Whether code that awaits <c>Input.ReadAsync</c> on the thread pool resumes on the instance's kthreads (as a
    /// uthread) instead. Then the reading loop runs where its packets arrive, and what it writes and flushes in one
    /// go leaves together after the round — a server's pipelined responses share segments and TX kicks instead of
    /// each taking the stack from a pool thread. Code on a uthread, or with its own synchronization context or task
    /// scheduler, resumes there either way. Handlers must then not block for long: a blocked kthread is replaced,
    /// but stalls the connections it was serving meanwhile.
    /// </summary>
    public bool ResumeOnRuntime { get; init; }
}
