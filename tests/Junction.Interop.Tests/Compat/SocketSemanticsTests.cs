using System.Net;
using System.Net.Sockets;
using Junction.Compat;
using Junction.Interop.Tests.Tcp;

namespace Junction.Interop.Tests.Compat;

/// <summary>What a C program under Junction sees, checked from inside it (Programs/semantics.c): errno values, non-blocking connect, epoll, IPv4-mapped AF_INET6.</summary>
[Collection(KernelInterop.Name)]
public sealed class SocketSemanticsTests
{
    private static readonly TimeSpan s_hang = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task C_program_under_junction_gets_linux_errno_nonblocking_connect_epoll_and_mapped_ipv6_semantics()
    {
        await using CompatLab lab = CompatLab.Start();
        using var directory = new TemporaryDirectory();
        string binary = CompatPrograms.CompileC("semantics.c", directory.Path);
        using var peer = lab.StartOnLinux("python3", CompatPrograms.Source("echo_dial.py"), lab.LinuxAddress, "7100");
        WaitForLinux(lab, 7100);
        string silent = lab.Lab.GetJunctionAddress(200).ToString();

        JunctionProcess program = lab.Run(binary, lab.JunctionAddress, lab.LinuxAddress, "7100", "7199", silent, "9100");
        await program.WaitForExitAsync().WaitAsync(s_hang);

        string output = lab.OutputOf(program);
        Assert.True(program.Process.ExitCode == 0, $"{program.Process.ExitCode} checks failed:\n{output}");
        Assert.Contains("done 0", output, StringComparison.Ordinal);
        Assert.Equal(0, program.OpenSockets);
    }

    [Fact]
    public async Task Program_exiting_mid_transfer_resets_the_linux_peer_and_frees_every_socket()
    {
        await using CompatLab lab = CompatLab.Start();
        using var directory = new TemporaryDirectory();
        string binary = CompatPrograms.CompileC("semantics.c", directory.Path);
        using Socket listener = lab.Junction.OnLinux(() => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp));
        listener.Bind(new IPEndPoint(lab.Lab.ClientAddress.ToIPAddress(), 7200));
        listener.Listen();

        JunctionProcess program = lab.Run(binary, "partial", lab.LinuxAddress, "7200");
        using Socket accepted = await listener.AcceptAsync().WaitAsync(s_hang);
        byte[] chunk = new byte[64 << 10];
        long sent = 0;
        SocketError ending = SocketError.Success;
        using var deadline = new CancellationTokenSource(s_hang);
        try
        {
            // Far more than the program reads: sending must end in an error once it is gone, not block forever.
            while (sent < 1L << 30) sent += await accepted.SendAsync(chunk, SocketFlags.None, deadline.Token);
        }
        catch (SocketException e)
        {
            ending = e.SocketErrorCode;
        }
        await program.WaitForExitAsync().WaitAsync(s_hang);

        Assert.Contains("read 65536", lab.OutputOf(program), StringComparison.Ordinal);
        Assert.True(ending is SocketError.ConnectionReset or SocketError.Shutdown or SocketError.ConnectionAborted, $"the peer saw {ending} after {sent} bytes");
        Assert.Equal(0, program.OpenSockets);
        Assert.True(program.Statistics.ConnectionsOpened == 1, program.Statistics.ToString());
    }

    [Fact]
    public async Task Data_a_program_wrote_before_closing_and_exiting_reaches_the_linux_peer_whole_then_eof()
    {
        await using CompatLab lab = CompatLab.Start();
        using Socket listener = lab.Junction.OnLinux(() => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp));
        listener.Bind(new IPEndPoint(lab.Lab.ClientAddress.ToIPAddress(), 7201));
        listener.Listen();
        const int Size = 256 << 10;

        // The peer reads nothing until the program is gone: sendall returns once the bytes sit in the program's socket
        // pair and in Junction's send queue, and the program exits without closing (its end closes as it dies, as
        // the host learns that it is gone); only then does the peer read. A kernel still delivers a closed socket's
        // data and its FIN; so must the host, instead of resetting the connection under them.
        string script = "import socket\n" +
            $"s = socket.create_connection(('{lab.LinuxAddress}', 7201))\n" +
            $"s.sendall(bytes(range(256)) * {Size / 256})\n" +
            "import os; os._exit(0)\n";
        JunctionProcess program = lab.Run("python3", "-c", script);
        using Socket accepted = await listener.AcceptAsync().WaitAsync(s_hang);
        await program.WaitForExitAsync().WaitAsync(s_hang);
        Assert.Equal(0, program.Process.ExitCode);
        Assert.Equal(0, program.OpenSockets);

        using var deadline = new CancellationTokenSource(s_hang);
        byte[] buffer = new byte[64 << 10];
        long received = 0;
        bool patternHolds = true;
        int read;
        while ((read = await accepted.ReceiveAsync(buffer, SocketFlags.None, deadline.Token)) > 0)
        {
            for (int i = 0; i < read; i++) patternHolds &= buffer[i] == (byte)((received + i) % 256);
            received += read;
        }
        Assert.Equal(Size, received);
        Assert.True(patternHolds);
    }

    internal static void WaitForLinux(CompatLab lab, int port)
    {
        for (int attempt = 0; attempt < 200; attempt++)
        {
            (int exit, _) = lab.RunOnLinux(s_hang, "bash", "-c", $"exec 3<>/dev/tcp/{lab.LinuxAddress}/{port}");
            if (exit == 0) return;
            Thread.Sleep(50);
        }
        Assert.Fail($"the Linux peer did not start on {lab.LinuxAddress}:{port}");
    }
}
