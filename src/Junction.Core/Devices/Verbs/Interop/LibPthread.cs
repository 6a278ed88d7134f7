using System.Runtime.InteropServices;

namespace Junction.Devices.Verbs.Interop;

/// <summary>The libc calls <c>ibv_create_wq</c> makes inline on the new work queue's embedded mutex and condition.</summary>
internal static unsafe partial class LibPthread
{
    [LibraryImport("libc", EntryPoint = "pthread_mutex_init")]
    public static partial int MutexInit(PthreadMutex* mutex, nint attr);

    [LibraryImport("libc", EntryPoint = "pthread_cond_init")]
    public static partial int CondInit(PthreadCond* cond, nint attr);
}
