using Junction.Conformance.Parsing;

namespace Junction.Conformance.Running;

/// <summary>Parses and runs one script on a fresh instance; never throws for anything the script or the stack does.</summary>
internal static class ConformanceRunner
{
    public static ScriptResult RunFile(string path, RunnerOptions options)
    {
        Script script;
        try
        {
            script = ScriptParser.ParseFile(path);
        }
        catch (ScriptSyntaxException e)
        {
            return new ScriptResult(path, false, e.Line, "syntax error: " + e.Reason, false, []);
        }
        return Run(script, options);
    }

    public static ScriptResult Run(Script script, RunnerOptions options)
    {
        ScriptInterpreter? interpreter = null;
        try
        {
            interpreter = new ScriptInterpreter(script, options);
            interpreter.Run();
            return new ScriptResult(script.Path, true, 0, null, false, interpreter.Notes);
        }
        catch (ScriptFailure f)
        {
            return new ScriptResult(script.Path, false, f.Line, f.Message, f.Unsupported, interpreter?.Notes ?? []);
        }
#pragma warning disable CA1031 // A crash inside the stack is a result to report, not a reason to stop the run.
        catch (Exception e)
#pragma warning restore CA1031
        {
            return new ScriptResult(script.Path, false, 0, $"the stack threw {e.GetType().Name}: {e.Message}\n{e.StackTrace}", false, interpreter?.Notes ?? []);
        }
        finally
        {
            interpreter?.Dispose();
        }
    }
}
