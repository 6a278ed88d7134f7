using System.Diagnostics;
using Junction.Interop;
using Junction.Runtime;

namespace Junction.Compat;

/// <summary>
/// An unmodified Linux program (C, Go, Python...) whose IPv4/IPv6 TCP and UDP sockets live on a Junction
/// <see cref="RuntimeInstance"/>'s stack instead of the kernel's, without a rebuild:
/// <code>await using var redis = JunctionProcess.Start(new ProcessStartInfo("redis-server"), instance);</code>
/// </summary>
/// <remarks>
/// <para>The program starts under <c>junction-launch</c>, which installs a seccomp filter that sends its socket calls
/// to this process (seccomp user notification); the program and every process it forks keep it. Each emulated
/// socket is a real descriptor (one end of an AF_UNIX socket pair), so read, write, poll, epoll, close, dup, fork
/// and exec work natively; the host moves the bytes between the pair and the Junction connection. Calls about other
/// descriptors, and other kinds of sockets (AF_UNIX, netlink, raw), run in the kernel. The stack speaks IPv4: an
/// AF_INET6 socket carries IPv4-mapped addresses; a real IPv6 peer or an unroutable address is unreachable. A socket
/// bound or connected to loopback (127.0.0.0/8, ::1) becomes a kernel socket in its place, so local services work.
/// io_uring is refused (ENOSYS), so programs use epoll.</para>
/// <para>Needs Linux 5.14+ (SECCOMP_ADDFD_FLAG_SEND) and ptrace access to the child (root, or the same user under
/// Yama's default scope), for pidfd_getfd and process_vm_readv.</para>
/// </remarks>
public sealed class JunctionProcess : IAsyncDisposable
{
    private const uint HelloMagic = 0x314c4e4a;
    private const int HelloTimeoutMilliseconds = 10_000;
    private static readonly TimeSpan s_stragglerGrace = TimeSpan.FromSeconds(2);
    private static readonly object s_startGate = new();
    private readonly SeccompSupervisor _supervisor;
    private int _disposed;

    private JunctionProcess(Process process, SeccompSupervisor supervisor)
    {
        Process = process;
        _supervisor = supervisor;
    }

    /// <summary>The program's process (started as <c>junction-launch</c>, which then becomes the program by exec: same id).</summary>
    public Process Process { get; }

    /// <summary>The process id.</summary>
    public int Id => Process.Id;

    /// <summary>The socket calls caught and how they were answered.</summary>
    public JunctionProcessStatistics Statistics => _supervisor.Statistics;

    /// <summary>Emulated sockets the program (and its children) hold now; 0 once everything was freed.</summary>
    public int OpenSockets => _supervisor.SocketCount;

    /// <summary>
    /// Starts <paramref name="startInfo"/>'s program (found on PATH as execvp does) with its TCP and UDP sockets on
    /// <paramref name="instance"/>'s stack. Everything else of <paramref name="startInfo"/> applies (arguments,
    /// environment, working directory, redirections); UseShellExecute must be false.
    /// </summary>
    /// <exception cref="InvalidOperationException">The native launcher is missing, or it could not put the program under the filter.</exception>
    public static unsafe JunctionProcess Start(ProcessStartInfo startInfo, RuntimeInstance instance)
    {
        ArgumentNullException.ThrowIfNull(startInfo);
        ArgumentNullException.ThrowIfNull(instance);
        ArgumentException.ThrowIfNullOrEmpty(startInfo.FileName, nameof(startInfo));
        if (startInfo.UseShellExecute) throw new ArgumentException("JunctionProcess starts programs directly: set UseShellExecute to false.", nameof(startInfo));
        if (!OperatingSystem.IsLinux()) throw new PlatformNotSupportedException("JunctionProcess needs Linux (seccomp user notification).");
        string launcher = NativeLauncher.Locate();

        int* pair = stackalloc int[2];
        if (Libc.SocketPair(Libc.AF_UNIX, Libc.SOCK_STREAM | Libc.SOCK_CLOEXEC, 0, pair) != 0) throw Errno.LastError("socketpair");
        int control = pair[0];
        int childControl = pair[1];
        Process process;
        try
        {
            ProcessStartInfo launch = LaunchInfo(startInfo, launcher, childControl);
            // The child's end must survive exec in this child only: clear close-on-exec just around the fork.
            lock (s_startGate)
            {
                Libc.Fcntl(childControl, Libc.F_SETFD, 0);
                try
                {
                    process = Process.Start(launch) ?? throw new InvalidOperationException($"Could not start {launcher}.");
                }
                finally
                {
                    Libc.Fcntl(childControl, Libc.F_SETFD, Libc.FD_CLOEXEC);
                }
            }
        }
        catch
        {
            Libc.Close(control);
            throw;
        }
        finally
        {
            Libc.Close(childControl);
        }

        SeccompSupervisor supervisor;
        try
        {
            int notifyFd = TakeListener(control, process, startInfo.FileName);
            supervisor = new SeccompSupervisor(instance, notifyFd, new JunctionProcessStatistics());
            supervisor.Start();
            byte go = (byte)'G';
            if (Libc.Write(control, &go, 1) != 1) throw new InvalidOperationException($"junction-launch went away before starting {startInfo.FileName}.");
        }
        catch
        {
            KillQuietly(process);
            process.Dispose();
            throw;
        }
        finally
        {
            Libc.Close(control);
        }
        return new JunctionProcess(process, supervisor);
    }

    /// <summary>
    /// Waits for the program to exit, then for the emulated sockets to be freed: at once when no process of it is
    /// left, or after a grace of two seconds when a child it forked outlives it (whose Junction sockets then close).
    /// Established connections still deliver what the program wrote before it exited, then close with a FIN.
    /// </summary>
    public async Task WaitForExitAsync(CancellationToken cancellationToken = default)
    {
        await Process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _supervisor.Stopped.WaitAsync(s_stragglerGrace, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            _supervisor.RequestStop();
            await _supervisor.Stopped.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Kills the program (and, by default, the processes it started).</summary>
    public void Kill(bool entireProcessTree = true) => Process.Kill(entireProcessTree);

    /// <summary>Kills the program if it still runs, waits for it, and frees every emulated socket.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        KillQuietly(Process);
        try
        {
            await WaitForExitAsync().ConfigureAwait(false);
        }
        finally
        {
            _supervisor.Dispose();
            Process.Dispose();
        }
    }

    private static ProcessStartInfo LaunchInfo(ProcessStartInfo startInfo, string launcher, int childControl)
    {
        var launch = new ProcessStartInfo(launcher)
        {
            UseShellExecute = false,
            WorkingDirectory = startInfo.WorkingDirectory,
            RedirectStandardInput = startInfo.RedirectStandardInput,
            RedirectStandardOutput = startInfo.RedirectStandardOutput,
            RedirectStandardError = startInfo.RedirectStandardError,
            StandardInputEncoding = startInfo.StandardInputEncoding,
            StandardOutputEncoding = startInfo.StandardOutputEncoding,
            StandardErrorEncoding = startInfo.StandardErrorEncoding,
            CreateNoWindow = startInfo.CreateNoWindow,
        };
        if (startInfo.ArgumentList.Count > 0 || string.IsNullOrEmpty(startInfo.Arguments))
        {
            launch.ArgumentList.Add(startInfo.FileName);
            foreach (string argument in startInfo.ArgumentList) launch.ArgumentList.Add(argument);
        }
        else
        {
            launch.Arguments = "\"" + startInfo.FileName.Replace("\"", "\\\"", StringComparison.Ordinal) + "\" " + startInfo.Arguments;
        }
        launch.Environment.Clear();
        foreach (KeyValuePair<string, string?> variable in startInfo.Environment) launch.Environment[variable.Key] = variable.Value;
        launch.Environment["JUNCTION_CONTROL_FD"] = childControl.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return launch;
    }

    /// <summary>Reads the launcher's hello (the number of its notification descriptor) and takes a copy of that descriptor.</summary>
    private static unsafe int TakeListener(int control, Process process, string program)
    {
        byte* hello = stackalloc byte[8];
        int have = 0;
        long deadline = Environment.TickCount64 + HelloTimeoutMilliseconds;
        while (have < 8)
        {
            var poll = new Libc.PollFd { Fd = control, Events = Libc.POLLIN };
            int wait = (int)Math.Max(0, deadline - Environment.TickCount64);
            int ready = Libc.Poll(&poll, 1, wait);
            if (ready < 0 && Errno.Last == Errno.EINTR) continue;
            if (ready <= 0) throw new InvalidOperationException($"junction-launch did not report its seccomp listener within {HelloTimeoutMilliseconds / 1000} s; {program} was not started.");
            nint read = Libc.Read(control, hello + have, (nuint)(8 - have));
            if (read < 0 && Errno.Last == Errno.EINTR) continue;
            if (read <= 0)
            {
                string exit = process.WaitForExit(1000) ? $" (exit code {process.ExitCode})" : "";
                throw new InvalidOperationException($"junction-launch could not put {program} under its seccomp filter{exit}: see its standard error; seccomp user notification needs Linux 5.14 or later.");
            }
            have += (int)read;
        }
        if (*(uint*)hello != HelloMagic) throw new InvalidOperationException("junction-launch answered with an unknown hello: the launcher and Junction.Core come from different builds.");
        int remoteFd = *(int*)(hello + 4);
        int pidfd = Libc.PidfdOpen(process.Id, 0);
        if (pidfd < 0) throw Errno.LastError("pidfd_open");
        try
        {
            int notifyFd = Libc.PidfdGetFd(pidfd, remoteFd);
            if (notifyFd < 0)
            {
                int errno = Errno.Last;
                throw new InvalidOperationException($"Could not take junction-launch's seccomp listener (pidfd_getfd: {Errno.Describe(errno)}): the host needs ptrace access to the child (root, CAP_SYS_PTRACE, or the same user with kernel.yama.ptrace_scope at most 1).");
            }
            return notifyFd;
        }
        finally
        {
            Libc.Close(pidfd);
        }
    }

    private static void KillQuietly(Process process)
    {
        try
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // Already gone.
        }
    }
}
