using Junction.Stack.Tcp;
using Junction.Wire;

namespace Junction.Tests.TcpParts;

public class IsnGeneratorTests
{
    private static readonly byte[] s_key = Enumerable.Range(100, 16).Select(i => (byte)i).ToArray();

    private static FourTuple Tuple(ushort remotePort) =>
        new(new Ipv4Address(10, 0, 0, 1), 80, new Ipv4Address(10, 0, 0, 2), remotePort);

    [Fact]
    public void Different_tuples_get_unrelated_isns()
    {
        var isn = new IsnGenerator(s_key);
        Instant now = Instant.FromMilliseconds(5_000);
        var seen = new HashSet<uint>();
        uint previous = isn.Next(Tuple(40_000), now).Value;
        int sequential = 0;
        for (ushort port = 40_001; port < 41_000; port++)
        {
            uint value = isn.Next(Tuple(port), now).Value;
            Assert.True(seen.Add(value));
            if (value - previous < 1_000_000) sequential++;
            previous = value;
        }
        // A counter would step by a small amount between consecutive connections; a keyed hash almost never does.
        Assert.True(sequential < 5, $"{sequential} near-sequential ISNs");
    }

    [Fact]
    public void Same_tuple_advances_with_the_four_microsecond_clock()
    {
        var isn = new IsnGenerator(s_key);
        FourTuple tuple = Tuple(50_000);
        TcpSeq first = isn.Next(tuple, Instant.FromMilliseconds(1_000));
        Assert.Equal(first, isn.Next(tuple, Instant.FromMilliseconds(1_000)));
        TcpSeq later = isn.Next(tuple, Instant.FromMilliseconds(1_000) + TimeSpan.FromMicroseconds(4_000));
        Assert.Equal(1_000, later - first);
        Assert.True(isn.Next(tuple, Instant.FromMilliseconds(60_000)) > first);
    }

    [Fact]
    public void Different_keys_give_different_isns()
    {
        FourTuple tuple = Tuple(50_000);
        var a = new IsnGenerator(s_key);
        var b = new IsnGenerator(new byte[16]);
        Assert.NotEqual(a.Next(tuple, Instant.Zero), b.Next(tuple, Instant.Zero));
    }
}
