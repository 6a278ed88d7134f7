using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Junction.Interop.Tests.Infrastructure;
using Junction.Lab;

namespace Junction.Interop.Tests.Lab;

public sealed partial class LabFaultsTests
{
    private const int DatagramCount = 2000;

    /// <summary>Sends numbered datagrams from the server kernel to the client kernel, paced so no socket buffer overflows; returns how many arrived.</summary>
    private static int SendDatagrams(JunctionLab lab, int count, ushort port)
    {
        var clientEndpoint = new IPEndPoint(lab.ClientAddress.ToIPAddress(), port);
        using Socket receiver = lab.RunInNamespace(LabSide.Client, () =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveBufferSize = 4 << 20 };
            socket.Bind(clientEndpoint);
            return socket;
        });
        using Socket sender = lab.RunInNamespace(LabSide.Server, () => new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp));
        byte[] datagram = new byte[64];
        var seen = new HashSet<int>();
        for (int i = 0; i < count; i++)
        {
            BitConverter.TryWriteBytes(datagram, i);
            sender.SendTo(datagram, clientEndpoint);
            while (receiver.Available > 0)
            {
                receiver.Receive(datagram);
                seen.Add(BitConverter.ToInt32(datagram));
            }
        }
        // The veth delivers synchronously; a short grace covers softirq processing of the last ones.
        Thread.Sleep(100);
        while (receiver.Available > 0)
        {
            receiver.Receive(datagram);
            seen.Add(BitConverter.ToInt32(datagram));
        }
        return seen.Count;
    }

    [Fact]
    public void Linux_drop_rule_drops_about_the_configured_share_of_udp_datagrams()
    {
        using JunctionLab lab = RootRequired.CreateLab();
        lab.Faults.AddLinuxDrop(LabSide.Client, 2);

        int received = SendDatagrams(lab, DatagramCount, 6001);

        int lost = DatagramCount - received;
        // numgen cannot be seeded: 2% of 2000 is 40 expected; 10 to 100 is far outside any plausible run.
        Assert.InRange(lost, 10, 100);
        Assert.Equal(lost, lab.Faults.GetLinuxDropCount(LabSide.Client));
    }

    [Fact]
    public void Removing_the_drop_rule_restores_a_lossless_link()
    {
        using JunctionLab lab = RootRequired.CreateLab();
        lab.Faults.AddLinuxDrop(LabSide.Client, 50);
        lab.Faults.AddLinuxDrop(LabSide.Client, 0);
        Assert.Equal(DatagramCount, SendDatagrams(lab, DatagramCount, 6002));

        lab.Faults.AddLinuxDrop(LabSide.Client, 30);
        lab.Faults.RemoveLinuxDrop(LabSide.Client);

        Assert.Equal(DatagramCount, SendDatagrams(lab, DatagramCount, 6003));
        Assert.Equal(0, lab.Faults.GetLinuxDropCount(LabSide.Client));
    }

    [Fact]
    public void Linux_drop_rule_drops_about_the_configured_share_of_ping_replies()
    {
        using JunctionLab lab = RootRequired.CreateLab();
        lab.Faults.AddLinuxDrop(LabSide.Client, 10);

        LabProcess ping = lab.StartProcess(LabSide.Client, "ping", "-q", "-c", "500", "-i", "0.002", "-W", "1", lab.ServerHostAddress.ToString()!);
        Assert.True(ping.WaitForExit(TimeSpan.FromSeconds(60)), "ping did not finish");

        Match summary = PingSummary().Match(ping.StandardOutput);
        Assert.True(summary.Success, ping.StandardOutput + ping.StandardError);
        int transmitted = int.Parse(summary.Groups["sent"].Value, System.Globalization.CultureInfo.InvariantCulture);
        int received = int.Parse(summary.Groups["received"].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(500, transmitted);
        // 10% expected (50 replies); the client drops replies on arrival, so the server saw every request.
        Assert.InRange(transmitted - received, 15, 110);
        Assert.Equal(transmitted - received, lab.Faults.GetLinuxDropCount(LabSide.Client));
    }

    [Fact]
    public void AddLinuxDrop_rejects_shares_outside_0_to_100_percent()
    {
        using JunctionLab lab = RootRequired.CreateLab();

        Assert.Throws<ArgumentOutOfRangeException>(() => lab.Faults.AddLinuxDrop(LabSide.Server, 101));
        Assert.Throws<ArgumentOutOfRangeException>(() => lab.Faults.AddLinuxDrop(LabSide.Server, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => lab.Faults.AddLinuxDrop(LabSide.Server, double.NaN));
    }

    [GeneratedRegex(@"(?<sent>\d+) packets transmitted, (?<received>\d+) (packets )?received")]
    private static partial Regex PingSummary();
}
