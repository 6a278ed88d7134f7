using System.Runtime.ExceptionServices;
using Junction.Interop;

namespace Junction.Devices.Xdp;

/// <summary>
/// Runs set-up code inside another network namespace. setns(CLONE_NEWNET) moves only the calling thread, so the work
/// runs on a fresh thread that enters the namespace and ends afterwards; descriptors it creates (sockets, BPF links)
/// keep their namespace and work from any thread.
/// </summary>
internal static class NetworkNamespace
{
    /// <summary>Runs <paramref name="action"/> in the namespace at <paramref name="path"/>, or right here if it is null.</summary>
    public static T Run<T>(string? path, Func<T> action)
    {
        if (path is null) return action();
        T result = default!;
        ExceptionDispatchInfo? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                Enter(path);
                result = action();
            }
            catch (Exception e)
            {
                failure = ExceptionDispatchInfo.Capture(e);
            }
        }, maxStackSize: 256 * 1024)
        {
            IsBackground = true,
            Name = "Junction netns set-up",
        };
        thread.Start();
        thread.Join();
        failure?.Throw();
        return result;
    }

    private static void Enter(string path)
    {
        int fd = Libc.Open(path, Libc.O_RDONLY | Libc.O_CLOEXEC);
        if (fd < 0)
        {
            int errno = Errno.Last;
            throw new XdpException($"Cannot open network namespace '{path}': {Errno.Describe(errno)}; create it first (ip netns add NAME makes /var/run/netns/NAME).", errno);
        }
        try
        {
            if (Libc.SetNs(fd, Libc.CLONE_NEWNET) != 0)
            {
                int errno = Errno.Last;
                throw new XdpException(errno == Errno.EPERM
                    ? $"Entering network namespace '{path}' needs CAP_SYS_ADMIN: run as root."
                    : $"Cannot enter network namespace '{path}': {Errno.Describe(errno)}.", errno);
            }
        }
        finally
        {
            Libc.Close(fd);
        }
    }
}
