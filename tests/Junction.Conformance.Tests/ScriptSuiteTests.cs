using Junction.Conformance.Running;

namespace Junction.Conformance.Tests;

/// <summary>Runs every script of the suite as its own test case.</summary>
public class ScriptSuiteTests
{
    private static readonly string ScriptsDirectory = Path.Combine(AppContext.BaseDirectory, "scripts");

    public static TheoryData<string> Scripts()
    {
        var data = new TheoryData<string>();
        foreach (string file in Directory.EnumerateFiles(ScriptsDirectory, "*.pkt").Order(StringComparer.Ordinal))
            data.Add(Path.GetFileName(file));
        return data;
    }

    [Theory]
    [MemberData(nameof(Scripts))]
    public void Script_passes(string script)
    {
        ScriptResult result = ConformanceRunner.RunFile(Path.Combine(ScriptsDirectory, script), new RunnerOptions());
        Assert.True(result.Passed, result.Describe());
    }

    [Fact]
    public void Suite_has_at_least_sixty_scripts() => Assert.True(Scripts().Count >= 60, $"{Scripts().Count} scripts");
}
