using Junction.Conformance.Parsing;

namespace Junction.Conformance;

internal static class Program
{
    private static int Main(string[] args)
    {
        bool parseOnly = args.Contains("--parse-only");
        string[] targets = [.. args.Where(a => !a.StartsWith("--", StringComparison.Ordinal))];
        if (targets.Length == 0)
        {
            Console.Error.WriteLine("usage: Junction.Conformance [--parse-only] DIR_OR_FILE...");
            return 2;
        }
        int passed = 0, failed = 0;
        foreach (string file in targets.SelectMany(ScriptFiles))
        {
            try
            {
                Script script = ScriptParser.ParseFile(file);
                Console.WriteLine($"ok    {file} ({script.Events.Count} events)");
                passed++;
            }
            catch (ScriptSyntaxException e)
            {
                Console.WriteLine($"FAIL  {e.Message}");
                failed++;
            }
        }
        _ = parseOnly;
        Console.WriteLine($"{passed} passed, {failed} failed");
        return failed == 0 ? 0 : 1;
    }

    private static IEnumerable<string> ScriptFiles(string target) =>
        Directory.Exists(target)
            ? Directory.EnumerateFiles(target, "*.pkt", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            : [target];
}
