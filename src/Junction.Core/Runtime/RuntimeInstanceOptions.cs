namespace Junction.Runtime;

/// <summary>How many kthreads one <see cref="RuntimeInstance"/> may use.</summary>
public sealed record RuntimeInstanceOptions
{
    /// <summary>How many kthreads the instance gets at once when it wakes up.</summary>
    public int MinKthreads { get; init; } = 1;

    /// <summary>
    /// How many kthreads the allocator may give the instance when its queues back up (kthreads stuck in blocking
    /// code are not counted).
    /// </summary>
    public int MaxKthreads { get; init; } = 2;
}
