namespace Junction.Conformance.Running;

/// <summary>How one script went: passed, or the first failure with its line; plus notes (knobs not applied).</summary>
internal sealed record ScriptResult(string Path, bool Passed, int Line, string? Failure, bool Unsupported, IReadOnlyList<string> Notes)
{
    public string Describe()
    {
        string notes = Notes.Count == 0 ? "" : $" [not applied: {string.Join("; ", Notes)}]";
        return Passed
            ? $"PASS  {Path}{notes}"
            : $"FAIL  {Path}:{Line}: {Failure}{notes}";
    }
}
