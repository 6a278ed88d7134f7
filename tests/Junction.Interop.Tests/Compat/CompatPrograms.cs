using System.Diagnostics;

namespace Junction.Interop.Tests.Compat;

/// <summary>The test programs under Programs/ (found from the repository root) and the compilers that build them.</summary>
internal static class CompatPrograms
{
    /// <summary>The path of Programs/<paramref name="name"/> in the source tree.</summary>
    public static string Source(string name)
    {
        for (DirectoryInfo? directory = new(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Junction.sln")))
                return Path.Combine(directory.FullName, "tests", "Junction.Interop.Tests", "Compat", "Programs", name);
        }
        throw new InvalidOperationException("Run the tests from the repository (Junction.sln not found above " + AppContext.BaseDirectory + ").");
    }

    /// <summary>Compiles Programs/<paramref name="name"/> with gcc into <paramref name="directory"/>.</summary>
    public static string CompileC(string name, string directory)
    {
        string output = Path.Combine(directory, Path.GetFileNameWithoutExtension(name));
        Run(TimeSpan.FromMinutes(1), null, null, "gcc", "-Wall", "-Wextra", "-Werror", "-O1", "-o", output, Source(name));
        return output;
    }

    /// <summary>
    /// Builds Programs/<paramref name="name"/> as a static Go binary (CGO_ENABLED=0, only the standard library, no
    /// network: GOPROXY=off, GOCACHE and GOPATH inside <paramref name="directory"/>).
    /// </summary>
    public static string BuildGo(string name, string directory)
    {
        string output = Path.Combine(directory, Path.GetFileNameWithoutExtension(name));
        var environment = new Dictionary<string, string>
        {
            ["CGO_ENABLED"] = "0",
            ["GOCACHE"] = Path.Combine(directory, "gocache"),
            ["GOPATH"] = Path.Combine(directory, "gopath"),
            ["GOPROXY"] = "off",
            ["GO111MODULE"] = "off",
        };
        Run(TimeSpan.FromMinutes(3), directory, environment, "go", "build", "-o", output, Source(name));
        return output;
    }

    /// <summary>Whether <paramref name="path"/> is an ELF executable without a program interpreter (statically linked).</summary>
    public static bool IsStaticElf(string path)
    {
        byte[] elf = File.ReadAllBytes(path);
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E') return false;
        long programHeaders = BitConverter.ToInt64(elf, 0x20);
        int entrySize = BitConverter.ToUInt16(elf, 0x36);
        int count = BitConverter.ToUInt16(elf, 0x38);
        for (int i = 0; i < count; i++)
        {
            if (BitConverter.ToUInt32(elf, (int)(programHeaders + (i * entrySize))) == 3) return false; // PT_INTERP
        }
        return true;
    }

    private static void Run(TimeSpan timeout, string? directory, Dictionary<string, string>? environment, string program, params string[] arguments)
    {
        var info = new ProcessStartInfo(program)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (directory is not null) info.WorkingDirectory = directory;
        foreach (string argument in arguments) info.ArgumentList.Add(argument);
        if (environment is not null)
        {
            foreach ((string key, string value) in environment) info.Environment[key] = value;
        }
        using Process process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {program}.");
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{program} did not finish within {timeout.TotalSeconds} s.");
        }
        Assert.True(process.ExitCode == 0, $"{program} {string.Join(' ', arguments)} failed ({process.ExitCode}): {output.Result}{error.Result}");
    }
}
