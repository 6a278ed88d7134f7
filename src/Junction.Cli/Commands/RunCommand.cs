using System.CommandLine;
using System.Diagnostics;
using Junction.Compat;
using Junction.Devices.Xdp;
using Junction.Lab;
using Junction.Runtime;
using Junction.Stack;
using Junction.Wire;

namespace Junction.Cli.Commands;

/// <summary>
/// <c>junction run [--lab NAME | --interface IF --ip A/P] -- PROGRAM ARGS</c>: runs an unmodified Linux program with
/// its TCP and UDP sockets on a Junction instance (AF_XDP), through the seccomp launcher; exits with the program's code.
/// </summary>
internal static class RunCommand
{
    public static Command Build()
    {
        var lab = new Option<string?>("--lab", "-l") { Description = "Run on this lab's Junction address, in its server namespace's veth (see 'junction lab up')." };
        var iface = new Option<string?>("--interface", "-i") { Description = "Instead of --lab: the interface whose queue 0 the instance uses (in this process's namespace)." };
        var ip = new Option<string?>("--ip") { Description = "With --interface: the instance's ADDRESS/PREFIX, e.g. 10.0.0.1/24 (an address the kernel does not own)." };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Do not print what the host did when the program ends." };
        var mode = ServeCommand.XdpModeOption();
        var program = new Argument<string[]>("program") { Description = "The program and its arguments (after --).", Arity = ArgumentArity.OneOrMore };
        var command = new Command("run", "Run a Linux program (C, Go, Python...) with its TCP and UDP sockets on a Junction instance (root).")
        {
            lab, iface, ip, quiet, mode, program,
        };
        command.SetAction((parse, cancellationToken) => Cli.GuardAsync(() => RunAsync(
            parse.GetValue(lab), parse.GetValue(iface), parse.GetValue(ip), parse.GetValue(mode), parse.GetValue(quiet), parse.GetValue(program)!, cancellationToken)));
        return command;
    }

    private static async Task<int> RunAsync(string? labName, string? interfaceName, string? ip, XdpAttachMode mode, bool quiet, string[] program, CancellationToken cancellationToken)
    {
        Cli.RequireRoot("junction run");
        if ((labName is null) == (interfaceName is null))
            throw new ArgumentException("Say where to run: --lab NAME (see 'junction lab up'), or --interface IF --ip ADDRESS/PREFIX.");
        if (program.Length == 0) throw new ArgumentException("Name the program to run after --, e.g. 'junction run --lab demo -- python3 -m http.server'.");
        JunctionLab? opened = labName is null ? null : JunctionLab.Open(labName);
        using (opened)
        {
            Ipv4Address address;
            int prefix;
            var options = new XdpDeviceOptions { AttachMode = mode };
            if (opened is not null)
            {
                address = opened.JunctionAddress;
                prefix = JunctionLab.PrefixLength;
                options.InterfaceName = opened.Server.Interface;
                options.NetworkNamespace = "/run/netns/" + opened.Server.Namespace;
            }
            else
            {
                (address, prefix) = ServeCommand.ParseCidr(ip ?? throw new ArgumentException("--interface needs --ip ADDRESS/PREFIX."));
                options.InterfaceName = interfaceName!;
            }
            options.Addresses.Add(address);
            using XdpDevice device = XdpDevice.Open(options);
            using var runtime = new JunctionRuntime();
            RuntimeInstance instance = runtime.CreateInstance(device, new NetStackOptions { Address = address, PrefixLength = prefix });
            var info = new ProcessStartInfo(program[0]) { UseShellExecute = false };
            foreach (string argument in program.AsSpan(1)) info.ArgumentList.Add(argument);
            await using JunctionProcess process = JunctionProcess.Start(info, instance);
            if (!quiet) Console.Error.WriteLine($"junction: {program[0]} (pid {process.Id}) runs on {address} ({device.Mode}); Ctrl-C stops it.");
            try
            {
                await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                process.Kill();
                await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            }
            if (!quiet) Console.Error.WriteLine("junction: " + process.Statistics);
            return process.Process.ExitCode;
        }
    }
}
