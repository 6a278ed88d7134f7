using System.IO.Compression;
using System.Xml.Linq;

namespace Junction.Tests.Packaging;

/// <summary>
/// The solution packed as <c>dotnet pack -c Release</c> packs it, into a local folder feed in a fresh temporary
/// directory, and a workspace outside the repository where fresh apps reference those packages from that feed.
/// The version gets a suffix unique to this run and restores use a global-packages folder of their own, so an older
/// package cached on the machine can never stand in for the one just packed.
/// </summary>
public sealed class PackageFeed : IAsyncLifetime
{
    public const string CorePackage = "Junction.Core";
    public const string KestrelPackage = "Junction.Transport.Kestrel";

    private readonly Lazy<Task> _appsBuilt;

    public PackageFeed()
    {
        Root = Path.Combine(Path.GetTempPath(), "junction-packaging-" + Guid.NewGuid().ToString("N")[..12]);
        VersionSuffix = "packaging-" + Guid.NewGuid().ToString("N")[..12];
        _appsBuilt = new Lazy<Task>(() => Task.Run(BuildApps));
    }

    /// <summary>The temporary directory everything lives in (under /tmp, so no Directory.Build.props of the repository applies).</summary>
    public string Root { get; }

    /// <summary>The local folder feed the packages are in.</summary>
    public string Feed => Path.Combine(Root, "feed");

    /// <summary>The global-packages folder (NUGET_PACKAGES) of every restore these tests run.</summary>
    public string GlobalPackages => Path.Combine(Root, "global-packages");

    /// <summary>Where the fresh apps are (copies of the Consumers folder).</summary>
    public string Apps => Path.Combine(Root, "apps");

    public string VersionSuffix { get; }

    /// <summary>The version of the packed packages, as their .nuspec says.</summary>
    public string Version { get; private set; } = "";

    /// <summary>What dotnet pack printed.</summary>
    public string PackOutput { get; private set; } = "";

    /// <summary>The environment of every dotnet command run against the feed.</summary>
    public IReadOnlyDictionary<string, string?> Environment => new Dictionary<string, string?> { ["NUGET_PACKAGES"] = GlobalPackages };

    public Task InitializeAsync() => Task.Run(Pack);

    private void Pack()
    {
        Directory.CreateDirectory(Feed);
        // --no-build: the test run built the solution already (this project references both packages), and a second
        // build of them here would rewrite what the other test assemblies run from.
        (int exitCode, string output) = Command.Run("dotnet",
            ["pack", Repository.Solution, "-c", Repository.Configuration, "--no-build", "-m:1", "-o", Feed,
             "-p:VersionSuffix=" + VersionSuffix, "-p:NuspecOutputPath=" + Path.Combine(Root, "nuspec") + "/"],
            Repository.Root, Environment, TimeSpan.FromMinutes(3));
        PackOutput = output;
        Assert.True(exitCode == 0, "dotnet pack failed:\n" + output);
        Version = Metadata(CorePackage).Element(Metadata(CorePackage).Name.Namespace + "version")!.Value;
    }

    public string PackagePath(string id) => Directory.GetFiles(Feed, id + ".*.nupkg").Single(path => IsPackage(path, id, ".nupkg"));

    public string SymbolsPath(string id) => Directory.GetFiles(Feed, id + ".*.snupkg").Single(path => IsPackage(path, id, ".snupkg"));

    /// <summary>The file names inside a package, with '/' separators.</summary>
    public static IReadOnlyList<string> Entries(string packagePath)
    {
        using ZipArchive archive = ZipFile.OpenRead(packagePath);
        return archive.Entries.Select(entry => entry.FullName).ToList();
    }

    /// <summary>The &lt;metadata&gt; element of a package's .nuspec (whose XML namespace NuGet picks by the features used).</summary>
    public XElement Metadata(string id)
    {
        using ZipArchive archive = ZipFile.OpenRead(PackagePath(id));
        ZipArchiveEntry entry = archive.GetEntry(id + ".nuspec") ?? throw new InvalidOperationException($"{id} has no .nuspec.");
        using Stream stream = entry.Open();
        XElement root = XDocument.Load(stream).Root!;
        return root.Element(root.Name.Namespace + "metadata") ?? throw new InvalidOperationException($"{id}'s .nuspec has no metadata.");
    }

    /// <summary>Copies the fresh apps out, adds each one's package with <c>dotnet add package</c>, and builds both in one go (one restore; one MSBuild node, like the other builds here, to leave the machine's other core to the test assemblies running beside this one).</summary>
    public Task EnsureAppsBuiltAsync() => _appsBuilt.Value;

    private void BuildApps()
    {
        CopyDirectory(Path.Combine(AppContext.BaseDirectory, "Consumers"), Apps);
        // Whatever lies further up /tmp stays out: MSBuild stops at the first Directory.Build.* it finds.
        foreach (string guard in (string[])["Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props"])
            File.WriteAllText(Path.Combine(Root, guard), "<Project />\n");
        // The local feed beside the machine's own sources (inherited from the user's NuGet.Config, not named here).
        File.WriteAllText(Path.Combine(Root, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="junction-local" value="{Feed}" />
              </packageSources>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(Apps, "Apps.slnx"), """
            <Solution>
              <Project Path="KestrelApp/KestrelApp.csproj" />
              <Project Path="SocketApp/SocketApp.csproj" />
              <Project Path="ProcessApp/ProcessApp.csproj" />
            </Solution>
            """);
        AddPackage("KestrelApp", KestrelPackage);
        AddPackage("SocketApp", CorePackage);
        AddPackage("ProcessApp", CorePackage);
        (int exitCode, string output) = Command.Run("dotnet", ["build", "Apps.slnx", "-c", "Release", "-m:1"], Apps, Environment, TimeSpan.FromMinutes(4));
        Assert.True(exitCode == 0, "The fresh apps did not build:\n" + output);
    }

    private void AddPackage(string app, string id)
    {
        (int exitCode, string output) = Command.Run("dotnet",
            ["add", Path.Combine(app, app + ".csproj"), "package", id, "--version", Version, "--no-restore"],
            Apps, Environment, TimeSpan.FromMinutes(2));
        Assert.True(exitCode == 0, $"dotnet add package {id} failed:\n" + output);
    }

    public Task DisposeAsync()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
            // Nothing was created.
        }
        return Task.CompletedTask;
    }

    private bool IsPackage(string path, string id, string extension)
    {
        string name = Path.GetFileName(path);
        // Junction.Core.* also matches Junction.Core.Something.*: the rest after the id must be the version.
        return name.StartsWith(id + ".", StringComparison.Ordinal)
            && name.EndsWith(extension, StringComparison.Ordinal)
            && char.IsAsciiDigit(name[id.Length + 1])
            && (Version.Length == 0 || name == $"{id}.{Version}{extension}");
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (string file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}

/// <summary>The tests that share one <see cref="PackageFeed"/> (one pack, one build of the fresh apps).</summary>
[CollectionDefinition(nameof(PackedSolution))]
public sealed class PackedSolution : ICollectionFixture<PackageFeed>;
