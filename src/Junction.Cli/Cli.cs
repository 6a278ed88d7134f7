using System.CommandLine;
using Junction.Cli.Commands;
using Junction.Devices.Xdp;

namespace Junction.Cli;

/// <summary>The <c>junction</c> command tree and the way every command reports a missing prerequisite.</summary>
internal static class Cli
{
    public static RootCommand Build()
    {
        var root = new RootCommand("Junction for .NET: a user-space TCP/IP stack on AF_XDP. Run 'junction demo' first.");
        root.Add(DemoCommand.Build());
        root.Add(BenchCommand.Build());
        root.Add(LabCommands.Build());
        root.Add(ServeCommand.Build());
        root.Add(LoadCommand.Build());
        root.Add(RunCommand.Build());
        return root;
    }

    /// <summary>Fails with one clear sentence unless this process runs as root.</summary>
    public static void RequireRoot(string what)
    {
        if (!Environment.IsPrivilegedProcess)
            throw new PrerequisiteException($"{what} needs root (network namespaces, veth links, BPF and AF_XDP): run it with sudo.");
    }

    /// <summary>Runs a command body; a missing prerequisite or a failed step becomes one line on stderr and exit code 1.</summary>
    public static int Guard(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (Exception e) when (IsReportable(e))
        {
            return Fail(e);
        }
    }

    /// <inheritdoc cref="Guard(Func{int})"/>
    public static async Task<int> GuardAsync(Func<Task<int>> body)
    {
        try
        {
            return await body().ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("junction: interrupted.");
            return 130;
        }
        catch (Exception e) when (IsReportable(e))
        {
            return Fail(e);
        }
    }

    private static bool IsReportable(Exception e) =>
        e is PrerequisiteException or InvalidOperationException or XdpException or PlatformNotSupportedException or ArgumentException
            or TimeoutException or System.Net.Sockets.SocketException or IOException or FormatException;

    private static int Fail(Exception e)
    {
        string what = e switch
        {
            XdpException => "AF_XDP is not available: " + e.Message,
            _ => e.Message,
        };
        Console.Error.WriteLine("junction: " + what);
        return 1;
    }
}

/// <summary>Something the machine lacks (root, a tool); the message says how to get it.</summary>
internal sealed class PrerequisiteException(string message) : Exception(message);
