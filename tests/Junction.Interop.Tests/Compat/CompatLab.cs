using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Junction.Compat;
using Junction.Interop.Tests.Runtime;
using Junction.Lab;

namespace Junction.Interop.Tests.Compat;

/// <summary>
/// A lab whose Junction side is a <see cref="RuntimeXdpInstance"/> on which unmodified programs run
/// (<see cref="JunctionProcess"/>), and whose Linux side runs the usual tools (curl, redis-benchmark, wrk) in the
/// client namespace. Disposing stops the programs, checks every emulated socket was freed and removes the lab.
/// </summary>
internal sealed class CompatLab : IAsyncDisposable
{
    private readonly List<(JunctionProcess Process, StringBuilder Output)> _programs = [];

    private CompatLab(RuntimeXdpInstance junction) => Junction = junction;

    public RuntimeXdpInstance Junction { get; }

    public JunctionLab Lab => Junction.Lab;

    /// <summary>The Junction instance's address, where programs under Junction listen.</summary>
    public string JunctionAddress => Junction.Address.ToString();

    /// <summary>The Linux peer's address in the client namespace.</summary>
    public string LinuxAddress => Lab.ClientAddress.ToString();

    public static CompatLab Start() => new(RuntimeXdpInstance.Start());

    /// <summary>Starts <paramref name="program"/> under Junction; its output is kept for failure messages.</summary>
    public JunctionProcess Run(string program, params string[] arguments) => RunIn(null, program, arguments);

    public JunctionProcess RunIn(string? workingDirectory, string program, params string[] arguments)
    {
        var info = new ProcessStartInfo(program)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (workingDirectory is not null) info.WorkingDirectory = workingDirectory;
        foreach (string argument in arguments) info.ArgumentList.Add(argument);
        JunctionProcess process = JunctionProcess.Start(info, Junction.Instance);
        var output = new StringBuilder();
        process.Process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.Process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.Process.BeginOutputReadLine();
        process.Process.BeginErrorReadLine();
        lock (_programs) _programs.Add((process, output));
        return process;
    }

    /// <summary>What <paramref name="process"/> printed so far.</summary>
    public string OutputOf(JunctionProcess process)
    {
        lock (_programs)
        {
            foreach ((JunctionProcess candidate, StringBuilder output) in _programs)
            {
                if (candidate == process)
                {
                    lock (output) return output.ToString();
                }
            }
        }
        return "";
    }

    /// <summary>Waits until a Linux client can connect to <paramref name="port"/> on the Junction address (the program listens).</summary>
    public void WaitForListener(JunctionProcess process, int port)
    {
        var endpoint = new IPEndPoint(Junction.Address.ToIPAddress(), port);
        long deadline = Environment.TickCount64 + 30_000;
        while (true)
        {
            using Socket probe = Junction.OnLinux(() => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp));
            try
            {
                probe.Connect(endpoint);
                return;
            }
            catch (SocketException) when (Environment.TickCount64 < deadline && !process.Process.HasExited)
            {
                Thread.Sleep(50);
            }
            catch (SocketException e)
            {
                Assert.Fail($"nothing listens on {endpoint} under Junction ({e.SocketErrorCode}); the program said: {OutputOf(process)}");
            }
        }
    }

    /// <summary>Runs a tool in the client namespace to the end (a hang fails after <paramref name="timeout"/>); returns its exit code and output.</summary>
    public (int ExitCode, string Output) RunOnLinux(TimeSpan timeout, string program, params string[] arguments)
    {
        using LabProcess process = Lab.StartProcess(LabSide.Client, program, arguments);
        if (!process.WaitForExit(timeout))
        {
            process.Kill();
            Assert.Fail($"{program} {string.Join(' ', arguments)} did not finish within {timeout.TotalSeconds} s: {process.StandardOutput}{process.StandardError}");
        }
        return (process.ExitCode, process.StandardOutput + process.StandardError);
    }

    /// <summary>Starts a server in the client namespace (the lab kills it on dispose).</summary>
    public LabProcess StartOnLinux(string program, params string[] arguments) => Lab.StartProcess(LabSide.Client, program, arguments);

    public async ValueTask DisposeAsync()
    {
        try
        {
            foreach ((JunctionProcess process, _) in _programs)
            {
                await process.DisposeAsync();
                Assert.Equal(0, process.OpenSockets);
            }
        }
        finally
        {
            Junction.Dispose();
        }
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null) return;
        lock (output)
        {
            if (output.Length < 1 << 16) output.AppendLine(line);
        }
    }
}
