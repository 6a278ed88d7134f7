using Junction.Simulation;
using Junction.Stack;
using Junction.Stack.Udp;
using Junction.Wire;

namespace Junction.Tests.Stack;

public sealed class TwoStacksTests
{
    [Fact]
    public void Two_stacks_on_a_virtual_switch_exchange_udp_datagrams_both_ways()
    {
        using var network = new SimulatedNetwork(seed: 1);
        NetStack a = network.AddStack("10.9.0.1");
        NetStack b = network.AddStack("10.9.0.2");
        UdpSocket socketA = a.UdpBind(4000);
        UdpSocket socketB = b.UdpBind(5000);
        var buffer = new byte[2048];

        for (int round = 0; round < 3; round++)
        {
            byte[] ping = TestFrames.Pattern(64 + round, start: round);
            Assert.True(socketA.SendTo(ping, b.Address, 5000));
            Assert.True(network.RunUntil(() => socketB.QueuedDatagrams > 0, TimeSpan.FromSeconds(1)));
            Assert.True(socketB.TryReceiveFrom(buffer, out int copied, out _, out Ipv4Address from, out ushort fromPort));
            Assert.Equal(ping, buffer[..copied]);
            Assert.Equal(a.Address, from);
            Assert.Equal(4000, fromPort);

            byte[] pong = TestFrames.Pattern(100 + round, start: 128 + round);
            Assert.True(socketB.SendTo(pong, from, fromPort));
            Assert.True(network.RunUntil(() => socketA.QueuedDatagrams > 0, TimeSpan.FromSeconds(1)));
            Assert.True(socketA.TryReceiveFrom(buffer, out copied, out _, out from, out fromPort));
            Assert.Equal(pong, buffer[..copied]);
            Assert.Equal(b.Address, from);
            Assert.Equal(5000, fromPort);
        }

        // a asked once; b learned a from that request and never had to ask.
        Assert.Equal(1, a.Statistics.ArpRequestsSent);
        Assert.Equal(0, b.Statistics.ArpRequestsSent);
        Assert.Equal(1, b.Statistics.ArpRepliesSent);
        foreach (NetStack stack in network.Stacks)
        {
            Assert.Equal(0, stack.Statistics.Malformed + stack.Statistics.BadChecksum + stack.Statistics.ArpUnresolvedDrops);
        }

        foreach (NetStack stack in network.Stacks) stack.Dispose();
        Assert.Equal(Instant.Never, network.Switch.NextDeliveryTime);
        foreach (NetStack stack in network.Stacks) Assert.Equal(stack.Device.Pool.FrameCount, stack.Device.Pool.FreeCount);
    }

    [Fact]
    public void Closed_port_on_the_other_stack_answers_port_unreachable_across_the_switch()
    {
        using var network = new SimulatedNetwork(seed: 1);
        NetStack a = network.AddStack("10.9.0.1");
        NetStack b = network.AddStack("10.9.0.2");
        UdpSocket socketA = a.UdpBind(4000);

        Assert.True(socketA.SendTo([1, 2, 3], b.Address, 6000));
        Assert.True(network.RunUntil(() => b.Statistics.PortUnreachableSent == 1 && a.Statistics.FramesReceived == 2, TimeSpan.FromSeconds(1)));
        Assert.Equal(1, b.Statistics.UdpNoSocket);
        Assert.Equal(0, socketA.QueuedDatagrams);

        foreach (NetStack stack in network.Stacks) stack.Dispose();
        foreach (NetStack stack in network.Stacks) Assert.Equal(stack.Device.Pool.FrameCount, stack.Device.Pool.FreeCount);
    }
}
