using System.IO.Pipelines;

namespace Junction.Transport.Kestrel.Internal;

/// <summary>The pipe pair Kestrel reads requests from and writes responses to.</summary>
internal sealed class TransportPipe(PipeReader input, PipeWriter output) : IDuplexPipe
{
    public PipeReader Input { get; } = input;

    public PipeWriter Output { get; } = output;
}
