using System.IO.Compression;
using System.Xml.Linq;
using Xunit.Abstractions;

namespace Junction.Tests.Packaging;

/// <summary>What <c>dotnet pack</c> of the solution puts in the feed, and what each package holds.</summary>
[Collection(nameof(PackedSolution))]
public sealed class PackageContentsTests(PackageFeed feed, ITestOutputHelper output)
{
    public static TheoryData<string> Packages => [PackageFeed.CorePackage, PackageFeed.KestrelPackage];

    [Fact]
    public void Packing_the_solution_yields_exactly_the_two_packages_and_their_symbols_without_warnings()
    {
        string[] files = Directory.GetFiles(feed.Feed).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;

        Assert.Equal(
            [$"Junction.Core.{feed.Version}.nupkg", $"Junction.Core.{feed.Version}.snupkg",
             $"Junction.Transport.Kestrel.{feed.Version}.nupkg", $"Junction.Transport.Kestrel.{feed.Version}.snupkg"],
            files);
        Assert.EndsWith("-" + feed.VersionSuffix, feed.Version, StringComparison.Ordinal);
        Assert.DoesNotContain("warning", feed.PackOutput, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [MemberData(nameof(Packages))]
    public void Package_holds_its_assembly_xml_docs_and_the_readme(string id)
    {
        string package = feed.PackagePath(id);
        IReadOnlyList<string> entries = PackageFeed.Entries(package);
        output.WriteLine($"{Path.GetFileName(package)}:");
        foreach (string entry in entries) output.WriteLine("  " + entry);

        Assert.Contains($"lib/net10.0/{id}.dll", entries);
        Assert.Contains($"lib/net10.0/{id}.xml", entries);
        Assert.Contains("README.md", entries);
        using ZipArchive archive = ZipFile.OpenRead(package);
        Assert.Equal(File.ReadAllText(Path.Combine(Repository.Root, "README.md")), Read(archive, "README.md"));
        XDocument docs = XDocument.Parse(Read(archive, $"lib/net10.0/{id}.xml"));
        Assert.Equal(id, docs.Root!.Element("assembly")!.Element("name")!.Value);
        Assert.NotEmpty(docs.Root.Element("members")!.Elements("member"));
    }

    [Theory]
    [MemberData(nameof(Packages))]
    public void Symbols_package_holds_the_portable_pdb(string id)
    {
        IReadOnlyList<string> entries = PackageFeed.Entries(feed.SymbolsPath(id));

        Assert.Contains($"lib/net10.0/{id}.pdb", entries);
    }

    [Fact]
    public void Core_package_carries_the_native_launcher_exactly_when_the_repository_builds_one()
    {
        IReadOnlyList<string> entries = PackageFeed.Entries(feed.PackagePath(PackageFeed.CorePackage));
        string[] native = entries.Where(entry => entry.StartsWith("runtimes/linux-x64/native/", StringComparison.Ordinal)).ToArray();

        if (Repository.HasNativeLauncher)
            Assert.True(native.Length > 0, "src/Junction.Native/CMakeLists.txt exists but Junction.Core has nothing under runtimes/linux-x64/native/: " + string.Join(", ", entries));
        else
            Assert.DoesNotContain(entries, entry => entry.StartsWith("runtimes/", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Packages))]
    public void Nuspec_has_complete_metadata(string id)
    {
        XElement metadata = feed.Metadata(id);
        XNamespace ns = metadata.Name.Namespace;
        string Value(string name) => metadata.Element(ns + name)?.Value ?? "";

        Assert.Equal(id, Value("id"));
        Assert.Equal(feed.Version, Value("version"));
        Assert.False(string.IsNullOrWhiteSpace(Value("authors")));
        Assert.True(Value("description").Length > 40, Value("description"));
        Assert.Equal("MIT", Value("license"));
        Assert.Equal("expression", metadata.Element(ns + "license")!.Attribute("type")!.Value);
        Assert.Equal("README.md", Value("readme"));
        Assert.StartsWith("https://", Value("projectUrl"), StringComparison.Ordinal);
        Assert.Contains("kernel-bypass", Value("tags").Split(' '));
        XElement repository = metadata.Element(ns + "repository")!;
        Assert.Equal("git", repository.Attribute("type")!.Value);
        Assert.StartsWith("https://", repository.Attribute("url")!.Value, StringComparison.Ordinal);
        // SourceLink's commit: the symbols and the package point at the sources they were built from.
        Assert.Matches("^[0-9a-f]{40}$", repository.Attribute("commit")?.Value ?? "");
    }

    [Fact]
    public void Kestrel_package_depends_on_the_same_core_version_and_on_the_aspnetcore_framework()
    {
        XElement metadata = feed.Metadata(PackageFeed.KestrelPackage);
        XNamespace ns = metadata.Name.Namespace;

        XElement dependency = Assert.Single(metadata.Descendants(ns + "dependency"));
        Assert.Equal(PackageFeed.CorePackage, dependency.Attribute("id")!.Value);
        Assert.Equal(feed.Version, dependency.Attribute("version")!.Value);
        Assert.Contains(metadata.Descendants(ns + "frameworkReference"), reference => reference.Attribute("name")!.Value == "Microsoft.AspNetCore.App");
    }

    private static string Read(ZipArchive archive, string name)
    {
        using var reader = new StreamReader(archive.GetEntry(name)!.Open());
        return reader.ReadToEnd();
    }
}
