using System.Diagnostics;
using System.Runtime.InteropServices;
using Junction.Devices.Verbs.Interop;

namespace Junction.Tests.Verbs;

/// <summary>
/// The C# mirrors of rdma-core's structs and the mlx5 PRM offsets against the C compiler's view of the installed
/// headers (src/Junction.Native/layout-probe/verbs_layout.c), or against the checked-in golden output of that probe
/// where gcc or the headers are absent.
/// </summary>
public sealed class LayoutConformanceTests
{
    private const string ProbeDirectory = "src/Junction.Native/layout-probe";
    private const string HeaderToCheck = "/usr/include/infiniband/mlx5dv.h";

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Junction.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("The test runs outside the repository: Junction.sln not found above " + AppContext.BaseDirectory);
    }

    private static string GoldenPath() => Path.Combine(RepositoryRoot(), ProbeDirectory, "verbs_layout.x64.golden");

    private static Dictionary<string, long> Parse(string text)
    {
        var result = new Dictionary<string, long>();
        foreach (string line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int space = line.LastIndexOf(' ');
            result.Add(line.Substring(0, space), long.Parse(line.AsSpan(space + 1), System.Globalization.CultureInfo.InvariantCulture));
        }
        return result;
    }

    private static bool HeadersAndCompilerPresent() =>
        File.Exists(HeaderToCheck) && (File.Exists("/usr/bin/gcc") || File.Exists("/usr/local/bin/gcc"));

    private static string RunProbe()
    {
        string source = Path.Combine(RepositoryRoot(), ProbeDirectory, "verbs_layout.c");
        string binary = Path.Combine(Path.GetTempPath(), $"junction-verbs-layout-{Environment.ProcessId}");
        try
        {
            Run("gcc", $"-std=gnu11 -Wall -Wextra -Werror -o \"{binary}\" \"{source}\"");
            return Run(binary, string.Empty);
        }
        finally
        {
            File.Delete(binary);
        }
    }

    private static string Run(string file, string arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        string output = process.StandardOutput.ReadToEnd();
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{file} {arguments} exited with {process.ExitCode}: {error}");
        return output;
    }

    private static void AssertSame(Dictionary<string, long> expected, string source)
    {
        Dictionary<string, long> managed = ManagedLayouts.Build();
        var mismatches = new List<string>();
        foreach ((string key, long value) in expected)
        {
            if (!managed.TryGetValue(key, out long mine)) mismatches.Add($"{key}: {source} says {value}, no managed mirror");
            else if (mine != value) mismatches.Add($"{key}: {source} says {value}, managed {mine}");
        }
        foreach (string key in managed.Keys)
        {
            if (!expected.ContainsKey(key)) mismatches.Add($"{key}: mirrored but {source} does not print it");
        }
        Assert.True(mismatches.Count == 0, string.Join(Environment.NewLine, mismatches));
    }

    [Fact]
    public void Managed_layouts_match_the_installed_headers_or_the_golden_output()
    {
        if (HeadersAndCompilerPresent())
        {
            AssertSame(Parse(RunProbe()), "the C probe");
        }
        else
        {
            Assert.True(RuntimeInformation.ProcessArchitecture == Architecture.X64,
                $"Neither rdma-core headers nor a golden layout for {RuntimeInformation.ProcessArchitecture} exist: install libibverbs-dev and gcc.");
            AssertSame(Parse(File.ReadAllText(GoldenPath())), "the golden output");
        }
    }

    [Fact]
    public void Golden_output_matches_the_managed_layouts()
    {
        // Keeps the checked-in copy honest on machines that do have the headers: it must describe the same layouts.
        Assert.Equal(Architecture.X64, RuntimeInformation.ProcessArchitecture);
        AssertSame(Parse(File.ReadAllText(GoldenPath())), "the golden output");
    }

    [Fact]
    public void Probe_prints_exactly_the_golden_output_on_x64()
    {
        Assert.True(HeadersAndCompilerPresent(), "This test needs libibverbs-dev and gcc (scripts/test.sh installs both).");
        Assert.Equal(File.ReadAllText(GoldenPath()), RunProbe());
    }

    [Fact]
    public void Verbs_context_constants_agree_with_its_mirror()
    {
        Assert.Equal(VerbsContext.CSize, System.Runtime.CompilerServices.Unsafe.SizeOf<VerbsContext>());
        Assert.Equal(VerbsContext.ContextOffset, (int)Marshal.OffsetOf<VerbsContext>(nameof(VerbsContext.Context)));
    }
}
