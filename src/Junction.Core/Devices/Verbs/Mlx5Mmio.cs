using System.Runtime.Intrinsics.X86;

namespace Junction.Devices.Verbs;

/// <summary>
/// The memory ordering the mlx5 rings need, as rdma-core's <c>udma_to_device_barrier</c> and
/// <c>mmio_flush_writes</c> give it: descriptors must be visible before the doorbell record that publishes them, and
/// the write-combined BlueFlame store must leave the CPU before the next doorbell.
/// </summary>
internal static class Mlx5Mmio
{
    /// <summary>Orders earlier stores to host memory before later stores (and drains write-combining buffers on x86).</summary>
    public static void StoreFence()
    {
        if (Sse.IsSupported) Sse.StoreFence();
        else Interlocked.MemoryBarrier();
    }
}
