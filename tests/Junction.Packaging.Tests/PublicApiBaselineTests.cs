using System.Text.RegularExpressions;

namespace Junction.Tests.Packaging;

/// <summary>
/// The public API baseline is enforced: a copy of the Junction.Transport.Kestrel project (its sources, project file,
/// PublicAPI.*.txt and the repository's build settings) stops building when its public surface and its baseline differ.
/// </summary>
public sealed partial class PublicApiBaselineTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "junction-public-api-" + Guid.NewGuid().ToString("N")[..12]);

    [Fact]
    public void A_public_member_missing_from_the_baseline_and_a_baseline_entry_missing_from_the_code_fail_the_build()
    {
        string project = CopyKestrelProject();
        (int exitCode, string output) = Command.Run("dotnet", ["build", "-c", Repository.Configuration, "-m:1"], project, timeout: TimeSpan.FromMinutes(3));
        Assert.True(exitCode == 0, "The copy does not build as it is:\n" + output);

        File.WriteAllText(Path.Combine(project, "UnlistedSurface.cs"), """
            namespace Junction.Transport.Kestrel;

            /// <summary>Public, documented, and not in PublicAPI.Unshipped.txt.</summary>
            public static class UnlistedSurface
            {
                /// <summary>A member nobody approved.</summary>
                public static int Answer => 42;
            }
            """);
        File.AppendAllText(Path.Combine(project, "PublicAPI.Unshipped.txt"), "Junction.Transport.Kestrel.JunctionTransportOptions.RemovedOption.get -> int\n");

        (exitCode, output) = Command.Run("dotnet", ["build", "-c", Repository.Configuration, "-m:1"], project, timeout: TimeSpan.FromMinutes(3));

        Assert.NotEqual(0, exitCode);
        Assert.Matches(@"error RS0016: Symbol 'Junction\.Transport\.Kestrel\.UnlistedSurface' is not part of the declared public API", output);
        Assert.Matches(@"error RS0016: Symbol 'static Junction\.Transport\.Kestrel\.UnlistedSurface\.Answer\.get -> int' is not part of the declared public API", output);
        Assert.Matches(@"error RS0017: Symbol 'Junction\.Transport\.Kestrel\.JunctionTransportOptions\.RemovedOption\.get -> int' is part of the declared API, but is either not public or could not be found", output);
        // Nothing else broke: the failure is the baseline's, not the copy's.
        Assert.All(ErrorCodes().Matches(output), error => Assert.Contains(error.Groups[1].Value, (string[])["RS0016", "RS0017"]));
    }

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    /// <summary>
    /// Copies the project with the repository's Directory.Build.props, Directory.Packages.props and .editorconfig
    /// beside it; Junction.Core becomes a reference to the assembly this configuration built.
    /// </summary>
    private string CopyKestrelProject()
    {
        string source = Path.Combine(Repository.Root, "src", "Junction.Transport.Kestrel");
        string target = Path.Combine(_root, "src", "Junction.Transport.Kestrel");
        foreach (string file in Directory.GetFiles(source, "*", SearchOption.AllDirectories))
        {
            string relative = Path.GetRelativePath(source, file);
            if (relative.StartsWith("bin" + Path.DirectorySeparatorChar, StringComparison.Ordinal) || relative.StartsWith("obj" + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                continue;
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(target, relative))!);
            File.Copy(file, Path.Combine(target, relative));
        }
        foreach (string file in (string[])["Directory.Build.props", "Directory.Packages.props", ".editorconfig", "global.json"])
            File.Copy(Path.Combine(Repository.Root, file), Path.Combine(_root, file));

        string projectFile = Path.Combine(target, "Junction.Transport.Kestrel.csproj");
        string core = Path.Combine(Repository.Root, "src", "Junction.Core", "bin", Repository.Configuration, "net10.0", "Junction.Core.dll");
        string text = File.ReadAllText(projectFile);
        const string coreReference = """<ProjectReference Include="../Junction.Core/Junction.Core.csproj" />""";
        Assert.Contains(coreReference, text, StringComparison.Ordinal);
        File.WriteAllText(projectFile, text.Replace(coreReference, $"""<Reference Include="{core}" />""", StringComparison.Ordinal));
        return target;
    }

    [GeneratedRegex(@"error ([A-Z]+[0-9]+):")]
    private static partial Regex ErrorCodes();
}
