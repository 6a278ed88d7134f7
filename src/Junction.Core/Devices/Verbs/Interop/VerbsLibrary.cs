using System.Runtime.InteropServices;

namespace Junction.Devices.Verbs.Interop;

/// <summary>Whether rdma-core's libraries can be loaded, asked without throwing.</summary>
internal static class VerbsLibrary
{
    /// <summary>Whether libibverbs loads in this process.</summary>
    public static bool TryLoadIbverbs() => TryLoad(LibIbverbs.Name);

    /// <summary>Whether the mlx5 provider library (with the direct-verbs API) loads in this process.</summary>
    public static bool TryLoadMlx5() => TryLoad(LibMlx5.Name);

    private static bool TryLoad(string name)
    {
        // The handle stays loaded: the imports bind to the same library later. Loading is reference counted.
        return NativeLibrary.TryLoad(name, out _);
    }
}
