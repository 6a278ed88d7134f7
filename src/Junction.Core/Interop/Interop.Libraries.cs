namespace Junction.Interop;

/// <summary>The native libraries the Linux calls come from.</summary>
internal static class Libraries
{
    /// <summary>The C library; every Linux distribution has it, so the package needs nothing installed.</summary>
    internal const string Libc = "libc";
}
