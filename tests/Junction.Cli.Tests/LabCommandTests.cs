using System.Diagnostics;
using System.Text.Json;

namespace Junction.Cli.Tests;

/// <summary>The lab as the command line drives it (root).</summary>
public sealed class LabCommandTests
{
    private static string Ip(params string[] arguments)
    {
        var info = new ProcessStartInfo("ip") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string argument in arguments) info.ArgumentList.Add(argument);
        using Process process = Process.Start(info)!;
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return output;
    }

    [Fact]
    public void Lab_up_json_prints_one_object_of_the_documented_shape_and_lab_down_leaves_nothing()
    {
        RootRequired.Check();
        const string name = "clitest1";
        JunctionCommand.Run(TimeSpan.FromSeconds(30), "lab", "down", name);
        var (exit, output, error) = JunctionCommand.Run(TimeSpan.FromSeconds(60), "lab", "up", "--name", name, "--json");
        try
        {
            Assert.True(exit == 0, error);
            using JsonDocument document = JsonDocument.Parse(output);
            JsonElement root = document.RootElement;
            Assert.Equal(["name", "server", "client"], root.EnumerateObject().Select(p => p.Name));
            Assert.Equal(name, root.GetProperty("name").GetString());
            foreach (string side in new[] { "server", "client" })
            {
                JsonElement endpoint = root.GetProperty(side);
                Assert.Equal(["namespace", "interface", "ip", "mac"], endpoint.EnumerateObject().Select(p => p.Name));
                string namespaceName = endpoint.GetProperty("namespace").GetString()!;
                string interfaceName = endpoint.GetProperty("interface").GetString()!;
                Assert.Contains(namespaceName, Ip("netns", "list"), StringComparison.Ordinal);
                Assert.Contains(interfaceName, Ip("-n", namespaceName, "-o", "link", "show"), StringComparison.Ordinal);
                Assert.Matches(@"^\d+\.\d+\.\d+\.\d+/24$", endpoint.GetProperty("ip").GetString()!);
                Assert.Matches("^([0-9a-f]{2}:){5}[0-9a-f]{2}$", endpoint.GetProperty("mac").GetString()!);
            }
            // The server's ip is a Junction address: the server kernel does not own it; the client kernel owns its own.
            string serverIp = root.GetProperty("server").GetProperty("ip").GetString()!.Split('/')[0];
            string clientIp = root.GetProperty("client").GetProperty("ip").GetString()!.Split('/')[0];
            Assert.DoesNotContain(serverIp + "/", Ip("-n", root.GetProperty("server").GetProperty("namespace").GetString()!, "-4", "addr"), StringComparison.Ordinal);
            Assert.Contains(clientIp + "/", Ip("-n", root.GetProperty("client").GetProperty("namespace").GetString()!, "-4", "addr"), StringComparison.Ordinal);

            // The lab outlived the command that made it, and status sees it.
            Assert.Contains(name, JunctionCommand.Run(TimeSpan.FromSeconds(30), "lab", "status").Output, StringComparison.Ordinal);
        }
        finally
        {
            var down = JunctionCommand.Run(TimeSpan.FromSeconds(30), "lab", "down", name);
            Assert.True(down.ExitCode == 0, down.Error);
        }
        Assert.DoesNotContain("junction-" + name, Ip("netns", "list"), StringComparison.Ordinal);
        Assert.DoesNotContain("jn" + name, Ip("-o", "link", "show"), StringComparison.Ordinal);
        Assert.False(File.Exists($"/run/netns/junction-{name}-server"));
        Assert.False(File.Exists($"/run/netns/junction-{name}-client"));
    }

    [Fact]
    public void Serve_echo_in_a_lab_answers_a_linux_client_in_the_client_namespace()
    {
        RootRequired.Check();
        const string name = "clitest2";
        JunctionCommand.Run(TimeSpan.FromSeconds(30), "lab", "down", name);
        var up = JunctionCommand.Run(TimeSpan.FromSeconds(60), "lab", "up", "--name", name, "--json");
        Assert.True(up.ExitCode == 0, up.Error);
        using Process serve = JunctionCommand.Start("serve", "echo", "--lab", name);
        try
        {
            string? first = serve.StandardOutput.ReadLine();
            Assert.NotNull(first);
            Assert.StartsWith("Serving echo on 10.77.0.1:7", first, StringComparison.Ordinal);
            // A kernel TCP client in the client namespace: python is not assumed, bash's /dev/tcp is.
            var info = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (string argument in new[] { "netns", "exec", $"junction-{name}-client", "bash", "-c",
                "exec 3<>/dev/tcp/10.77.0.1/7; printf 'hello junction\\n' >&3; read -t 5 line <&3; echo \"$line\"" })
                info.ArgumentList.Add(argument);
            using Process client = Process.Start(info)!;
            string answer = client.StandardOutput.ReadToEnd();
            Assert.True(client.WaitForExit(10_000));
            Assert.Equal("hello junction", answer.Trim());
        }
        finally
        {
            if (!serve.HasExited) serve.Kill(entireProcessTree: true);
            serve.WaitForExit();
            JunctionCommand.Run(TimeSpan.FromSeconds(30), "lab", "down", name);
        }
    }

    [Fact]
    public void Serve_echo_uses_almost_no_cpu_while_idle_after_answering()
    {
        RootRequired.Check();
        const string name = "clitest3";
        JunctionCommand.Run(TimeSpan.FromSeconds(30), "lab", "down", name);
        var up = JunctionCommand.Run(TimeSpan.FromSeconds(60), "lab", "up", "--name", name, "--json");
        Assert.True(up.ExitCode == 0, up.Error);
        using Process serve = JunctionCommand.Start("serve", "echo", "--lab", name);
        try
        {
            string? first = serve.StandardOutput.ReadLine();
            Assert.NotNull(first);
            Assert.StartsWith("Serving echo on 10.77.0.1:7", first, StringComparison.Ordinal);
            Assert.Contains("park", first, StringComparison.Ordinal);
            Assert.Equal("busy", EchoOnce(name, "busy"));

            // Idle: the kthreads park in epoll (thread state S). A busy-polling thread is always runnable (R) and uses
            // a whole CPU when it gets one; on a loaded machine it may get less, but it never sleeps.
            var wall = Stopwatch.StartNew();
            TimeSpan before = CpuTime(serve.Id);
            int samples = 30, runnable = 0;
            for (int i = 0; i < samples; i++)
            {
                Thread.Sleep(100);
                if (JunctionThreadRunnable(serve.Id)) runnable++;
            }
            TimeSpan used = CpuTime(serve.Id) - before;
            double share = used / wall.Elapsed;
            Assert.True(share < 0.10, $"the idle server used {used.TotalMilliseconds:F0} ms of CPU in {wall.Elapsed.TotalMilliseconds:F0} ms ({share:P1})");
            Assert.True(runnable <= 3, $"a Junction thread of the idle server was runnable in {runnable} of {samples} samples");

            // Parked is not dead: the next client wakes it.
            Assert.True(serve.HasExited == false, "the server exited");
            Assert.Equal("again", EchoOnce(name, "again"));
        }
        finally
        {
            if (!serve.HasExited) serve.Kill(entireProcessTree: true);
            serve.WaitForExit();
            JunctionCommand.Run(TimeSpan.FromSeconds(30), "lab", "down", name);
        }
    }

    /// <summary>One line through the echo server from a kernel TCP client in the lab's client namespace (bash's /dev/tcp).</summary>
    private static string EchoOnce(string lab, string line)
    {
        var info = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in new[] { "netns", "exec", $"junction-{lab}-client", "bash", "-c",
            $"exec 3<>/dev/tcp/10.77.0.1/7; printf '{line}\\n' >&3; read -t 5 line <&3; echo \"$line\"" })
            info.ArgumentList.Add(argument);
        using Process client = Process.Start(info)!;
        string answer = client.StandardOutput.ReadToEnd();
        Assert.True(client.WaitForExit(10_000));
        return answer.Trim();
    }

    /// <summary>Whether a thread of <paramref name="pid"/> named "junction …" (kthreads; formerly the poll thread) is running or runnable.</summary>
    private static bool JunctionThreadRunnable(int pid)
    {
        foreach (string task in Directory.GetDirectories($"/proc/{pid}/task"))
        {
            string stat;
            try
            {
                stat = File.ReadAllText(Path.Combine(task, "stat"));
            }
            catch (IOException)
            {
                continue; // the thread ended meanwhile
            }
            int open = stat.IndexOf('(', StringComparison.Ordinal), close = stat.LastIndexOf(')');
            string name = stat[(open + 1)..close];
            if (name.StartsWith("junction ", StringComparison.Ordinal) && stat[close + 2] == 'R') return true;
        }
        return false;
    }

    /// <summary>User + system CPU time of process <paramref name="pid"/>, all threads, from /proc/PID/stat.</summary>
    private static TimeSpan CpuTime(int pid)
    {
        string stat = File.ReadAllText($"/proc/{pid}/stat");
        // Fields after the command name (which may hold spaces) in parentheses: utime and stime are the 12th and 13th.
        string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        long ticks = long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture) + long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture);
        // USER_HZ is 100 on every Linux ABI .NET runs on.
        return TimeSpan.FromSeconds(ticks / 100.0);
    }
}
