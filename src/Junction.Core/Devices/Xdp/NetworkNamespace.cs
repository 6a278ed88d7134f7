using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using Junction.Interop;

namespace Junction.Devices.Xdp;

/// <summary>
/// Runs set-up code inside another network namespace. setns(CLONE_NEWNET) moves only the calling thread, so the work
/// runs on a thread of this object's own that entered the namespace once (starting a thread per socket would cost
/// about 1 ms each); descriptors it creates (sockets, BPF links) keep their namespace and work from any thread. The
/// thread sleeps between requests and ends on <see cref="Dispose"/>. With no namespace, work runs on the caller.
/// </summary>
internal sealed class NetworkNamespace : IDisposable
{
    private readonly string? _path;
    private readonly BlockingCollection<Action>? _work;
    private readonly Thread? _thread;

    public NetworkNamespace(string? path)
    {
        _path = path;
        if (path is null) return;
        _work = [];
        ExceptionDispatchInfo? failure = null;
        using var entered = new ManualResetEventSlim();
        _thread = new Thread(() =>
        {
            try
            {
                Enter(path);
            }
            catch (Exception e)
            {
                failure = ExceptionDispatchInfo.Capture(e);
                return;
            }
            finally
            {
                entered.Set();
            }
            foreach (Action action in _work.GetConsumingEnumerable()) action();
        }, maxStackSize: 256 * 1024)
        {
            IsBackground = true,
            Name = "Junction netns " + path,
        };
        _thread.Start();
        entered.Wait();
        if (failure is not null)
        {
            _work.Dispose();
            failure.Throw();
        }
    }

    /// <summary>Runs <paramref name="action"/> in the namespace and returns its result (or rethrows its exception).</summary>
    public T Run<T>(Func<T> action)
    {
        if (_work is null) return action();
        T result = default!;
        ExceptionDispatchInfo? failure = null;
        using var done = new ManualResetEventSlim();
        _work.Add(() =>
        {
            try
            {
                result = action();
            }
            catch (Exception e)
            {
                failure = ExceptionDispatchInfo.Capture(e);
            }
            finally
            {
                done.Set();
            }
        });
        done.Wait();
        failure?.Throw();
        return result;
    }

    /// <summary>Ends the namespace thread.</summary>
    public void Dispose()
    {
        if (_work is null || _work.IsAddingCompleted) return;
        _work.CompleteAdding();
        _thread!.Join();
        _work.Dispose();
    }

    /// <inheritdoc/>
    public override string ToString() => _path ?? "(this network namespace)";

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
