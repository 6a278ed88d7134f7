namespace Junction.Stack.Tcp;

/// <summary>What became of a data segment handed to the output.</summary>
internal enum TcpSendOutcome
{
    /// <summary>Not sent (no free frame, no route); TCP treats it like a loss.</summary>
    Failed,

    /// <summary>Sent in a fresh frame the payload was copied into.</summary>
    Copied,

    /// <summary>Sent from the send buffer's own frame, headers written in front of the payload (no copy).</summary>
    InPlace,
}
