using System.Globalization;
using Junction.Conformance.Parsing;
using Junction.Conformance.Running;

namespace Junction.Conformance;

/// <summary>
/// <c>dotnet run --project tests/Junction.Conformance -- [--strict] [--parse-only] [--wall-clock-limit=SECONDS] DIR_OR_FILE...</c>:
/// runs every <c>.pkt</c> script found, prints one line per script and <c>N passed, N failed</c>.
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        bool parseOnly = false;
        var options = new RunnerOptions();
        var targets = new List<string>();
        foreach (string arg in args)
        {
            if (arg == "--parse-only") parseOnly = true;
            else if (arg == "--strict") options = options with { Strict = true };
            else if (arg.StartsWith("--wall-clock-limit=", StringComparison.Ordinal))
                options = options with { WallClockLimit = TimeSpan.FromSeconds(double.Parse(arg["--wall-clock-limit=".Length..], CultureInfo.InvariantCulture)) };
            else if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                Console.Error.WriteLine($"unknown option {arg}");
                return 2;
            }
            else targets.Add(arg);
        }
        if (targets.Count == 0)
        {
            Console.Error.WriteLine("usage: Junction.Conformance [--strict] [--parse-only] [--wall-clock-limit=SECONDS] DIR_OR_FILE...");
            return 2;
        }
        int passed = 0, failed = 0;
        foreach (string file in targets.SelectMany(ScriptFiles))
        {
            ScriptResult result = parseOnly ? ParseOnly(file) : ConformanceRunner.RunFile(file, options);
            Console.WriteLine(result.Describe());
            if (result.Passed) passed++;
            else failed++;
        }
        Console.WriteLine($"{passed} passed, {failed} failed");
        return failed == 0 ? 0 : 1;
    }

    private static ScriptResult ParseOnly(string file)
    {
        try
        {
            ScriptParser.ParseFile(file);
            return new ScriptResult(file, true, 0, null, false, []);
        }
        catch (ScriptSyntaxException e)
        {
            return new ScriptResult(file, false, e.Line, "syntax error: " + e.Reason, false, []);
        }
    }

    private static IEnumerable<string> ScriptFiles(string target) =>
        Directory.Exists(target)
            ? Directory.EnumerateFiles(target, "*.pkt", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            : [target];
}
