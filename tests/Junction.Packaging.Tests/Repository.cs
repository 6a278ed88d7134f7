using System.Reflection;

namespace Junction.Tests.Packaging;

/// <summary>The checkout and build configuration this test assembly was built from (baked in by the project file).</summary>
internal static class Repository
{
    public static string Root { get; } = Metadata("RepositoryRoot");

    public static string Configuration { get; } = Metadata("Configuration");

    public static string Solution => Path.Combine(Root, "Junction.sln");

    /// <summary>
    /// Whether the native launcher is in this checkout: a CMake project under src/Junction.Native, whose build puts
    /// files under runtimes/linux-x64/native in Junction.Core. (src/Junction.Native also holds the verbs layout probe,
    /// a test-only C file that is not shipped, so the folder alone says nothing.)
    /// </summary>
    public static bool HasNativeLauncher
    {
        get
        {
            string native = Path.Combine(Root, "src", "Junction.Native");
            return Directory.Exists(native) && Directory.EnumerateFiles(native, "CMakeLists.txt", SearchOption.AllDirectories).Any();
        }
    }

    private static string Metadata(string key)
    {
        foreach (AssemblyMetadataAttribute attribute in typeof(Repository).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>())
        {
            if (attribute.Key == key && !string.IsNullOrEmpty(attribute.Value)) return attribute.Value;
        }
        throw new InvalidOperationException($"The test assembly has no '{key}' metadata: build it with its project file.");
    }
}
