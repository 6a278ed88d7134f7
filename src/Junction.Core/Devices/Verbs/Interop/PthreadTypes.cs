using System.Runtime.CompilerServices;

namespace Junction.Devices.Verbs.Interop;

// glibc x86-64/arm64 sizes for pthread_mutex_t (40 on x86-64) and pthread_cond_t (48); eight-byte aligned like
// the C types. The layout probe checks every struct that embeds them, so a different libc fails the test.

/// <summary>Opaque storage for a <c>pthread_mutex_t</c> embedded in a verbs object.</summary>
[InlineArray(5)]
internal struct PthreadMutex
{
    private long _element;
}

/// <summary>Opaque storage for a <c>pthread_cond_t</c> embedded in a verbs object.</summary>
[InlineArray(6)]
internal struct PthreadCond
{
    private long _element;
}
