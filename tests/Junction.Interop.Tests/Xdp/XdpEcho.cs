using Junction.Devices;
using Junction.Devices.Xdp;

namespace Junction.Interop.Tests.Xdp;

/// <summary>Echoes received Ethernet/IPv4/UDP frames in place (swapped addresses and ports; checksums stay valid) and transmits them back.</summary>
internal static class XdpEcho
{
    /// <summary>Echoes what is ready now; returns how many frames went back.</summary>
    public static int EchoReady(XdpDevice device, Frame[] batch)
    {
        int count = device.Receive(batch);
        for (int i = 0; i < count; i++) SwapInPlace(batch[i].Span);
        int sent = device.Transmit(batch.AsSpan(0, count));
        for (int i = sent; i < count; i++) batch[i].Release();
        return sent;
    }

    /// <summary>Swaps MAC addresses, IPv4 addresses and UDP ports; both checksums are sums of the same words, so they stay valid.</summary>
    public static void SwapInPlace(Span<byte> frame)
    {
        Swap(frame.Slice(0, 6), frame.Slice(6, 6));
        Swap(frame.Slice(14 + 12, 4), frame.Slice(14 + 16, 4));
        Swap(frame.Slice(14 + 20, 2), frame.Slice(14 + 22, 2));
    }

    private static void Swap(Span<byte> a, Span<byte> b)
    {
        Span<byte> temporary = stackalloc byte[6];
        a.CopyTo(temporary);
        b.CopyTo(a);
        temporary[..a.Length].CopyTo(b);
    }
}
