namespace Junction.Interop.Tests.Tcp;

/// <summary>A directory under the system's temp directory, deleted with everything in it on dispose.</summary>
internal sealed class TemporaryDirectory : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("junction-interop-").FullName;

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
