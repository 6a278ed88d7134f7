using System.Diagnostics;
using Junction.Lab;

namespace Junction.Tests.Packaging;

/// <summary>
/// Apps created outside the solution, as a user would create them, that reference the packages from the local feed
/// and nothing else: they build, run with <c>dotnet run</c>, and answer.
/// </summary>
[Collection(nameof(PackedSolution))]
public sealed class FreshProjectTests(PackageFeed feed)
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task Kestrel_app_with_UseJunction_answers_http_over_the_virtual_switch()
    {
        await feed.EnsureAppsBuiltAsync();

        (int exitCode, string output) = Command.Run("dotnet", ["run", "--no-build", "-c", "Release", "--project", "KestrelApp"], feed.Apps, feed.Environment, Patience);

        Assert.True(exitCode == 0, output);
        // The stack's address came from the "Junction" section of appsettings.json (bound by the package's generated
        // binder): without it the transport has no address and Kestrel cannot bind 10.0.0.1.
        Assert.Contains("listening on http://10.0.0.1:8080", output, StringComparison.Ordinal);
        Assert.Contains("answer: Hello from a package reference!", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Socket_app_echoes_tcp_through_JunctionSocket_over_the_virtual_switch()
    {
        await feed.EnsureAppsBuiltAsync();

        (int exitCode, string output) = Command.Run("dotnet", ["run", "--no-build", "-c", "Release", "--project", "SocketApp", "--", "echo through a package"], feed.Apps, feed.Environment, Patience);

        Assert.True(exitCode == 0, output);
        Assert.Contains("echo: echo through a package", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Process_app_runs_python_on_a_junction_stack_through_the_launcher_from_the_package()
    {
        if (!Environment.IsPrivilegedProcess)
            Assert.Fail("This test needs root (the host reads the program's memory and takes its descriptors): run it as root, e.g. 'sudo dotnet test tests/Junction.Packaging.Tests'.");
        await feed.EnsureAppsBuiltAsync();
        // The launcher the app finds is the one the package delivered, in the app's own output.
        string launcher = Path.Combine(feed.Apps, "ProcessApp", "bin", "Release", "net10.0", "runtimes", "linux-x64", "native", "junction-launch");
        Assert.True(File.Exists(launcher), "The package did not deliver junction-launch into the app's output: " + launcher);

        (int exitCode, string output) = Command.Run("dotnet", ["run", "--no-build", "-c", "Release", "--project", "ProcessApp"], feed.Apps, feed.Environment, Patience);

        Assert.True(exitCode == 0, output);
        Assert.Contains("reply: hello from python to 10.0.0.2", output, StringComparison.Ordinal);
        Assert.Contains("python exited 0; sockets created 1, accepted 1", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Kestrel_app_serves_curl_in_the_lab_client_namespace_over_af_xdp()
    {
        if (!Environment.IsPrivilegedProcess)
            Assert.Fail("This test needs root (network namespaces, veth, AF_XDP): run it as root, e.g. 'sudo dotnet test tests/Junction.Packaging.Tests'.");
        await feed.EnsureAppsBuiltAsync();
        using JunctionLab lab = JunctionLab.Create();
        string address = lab.JunctionAddress.ToString();
        string url = $"http://{address}:8080/";

        using Process app = Command.Start("dotnet",
            ["run", "--no-build", "-c", "Release", "--project", "KestrelApp", "--",
             "--Junction:Device=Xdp", "--Junction:Address=" + address, "--Junction:PrefixLength=" + JunctionLab.PrefixLength,
             "--Junction:Xdp:InterfaceName=" + lab.Server.Interface, "--Junction:Xdp:NetworkNamespace=/run/netns/" + lab.Server.Namespace,
             "--Urls=" + url.TrimEnd('/')],
            feed.Apps, feed.Environment, redirectInput: true);
        var printed = new AppOutput(app);
        try
        {
            Assert.True(await printed.WaitForLineAsync("listening on", Patience), "The app did not start listening:\n" + printed);

            using LabProcess curl = lab.StartProcess(LabSide.Client, "curl", "-sS", "--fail", "--max-time", "30", url);
            Assert.True(curl.WaitForExit(Patience), "curl did not finish:\n" + curl.StandardOutput + curl.StandardError);
            Assert.True(curl.ExitCode == 0, curl.StandardOutput + curl.StandardError + "\napp:\n" + printed);
            Assert.Equal("Hello from a package reference!", curl.StandardOutput.TrimEnd());

            // End of input is the app's cue to stop: it shuts Kestrel and the AF_XDP socket down cleanly.
            app.StandardInput.Close();
            Assert.True(app.WaitForExit(Patience), "The app did not stop when its input closed:\n" + printed);
            app.WaitForExit();
            Assert.True(app.ExitCode == 0, printed.ToString());
        }
        finally
        {
            if (!app.HasExited)
            {
                app.Kill(entireProcessTree: true);
                app.WaitForExit();
            }
        }
    }
}
