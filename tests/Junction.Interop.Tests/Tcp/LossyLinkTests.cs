using System.Globalization;
using Junction.Devices.Memory;
using Junction.Lab;

namespace Junction.Interop.Tests.Tcp;

/// <summary>
/// The 1 GiB transfers through a lossy, reordering link, each direction with both stacks recovering: a fault injector
/// between the XDP device and Junction's stack loses and reorders 2 % of what Linux sends and reorders 2 % of what
/// Junction sends, and an nftables rule on the Linux side drops 2 % of what arrives from Junction.
/// </summary>
[Collection(KernelInterop.Name)]
public sealed class LossyLinkTests
{
    private const long OneGiB = 1L << 30;
    private const double Percent = 2;

    private static JunctionInstance StartLossy()
    {
        JunctionInstance junction = JunctionInstance.Start(
            receiveFaults: new FaultSettings { LossRate = Percent / 100, ReorderRate = Percent / 100, Seed = 11 },
            transmitFaults: new FaultSettings { ReorderRate = Percent / 100, Seed = 12 });
        junction.Lab.Faults.AddLinuxDrop(LabSide.Client, Percent);
        return junction;
    }

    [Fact]
    public async Task Curl_fetches_one_gibibyte_from_junction_through_2_percent_loss_and_reordering()
    {
        using JunctionInstance junction = StartLossy();
        var content = new PatternStream(0x1055);
        Task<string> expected = Task.Run(() => content.Sha256(OneGiB));
        junction.Invoke(() => new HttpFileServer(junction.Stack.TcpListen(80), "/1g", OneGiB, content));

        string url = string.Create(CultureInfo.InvariantCulture, $"http://{junction.Address}/1g");
        // curl gives up after 240 s and says how far it got: a hang detector, not a timing goal (the direction needs
        // about 40 s on a quiet 2-vCPU machine, twice that while other test assemblies run beside it).
        (int exitCode, string output) = junction.RunOnLinux(TimeSpan.FromMinutes(5), "bash", "-o", "pipefail", "-c", $"curl -sS --fail --max-time 240 {url} | sha256sum");

        Assert.True(exitCode == 0, output);
        Assert.Equal(await expected + "  -", output.Trim());
        AssertBothSidesSawFaults(junction);
    }

    [Fact]
    public void Junction_fetches_one_gibibyte_from_python_http_server_through_2_percent_loss_and_reordering()
    {
        using JunctionInstance junction = StartLossy();
        using var files = new TemporaryDirectory();
        string expected = new PatternStream(0x1056).WriteFile(Path.Combine(files.Path, "1g"), OneGiB);
        PythonHttpServer.Start(junction, 8000, files.Path);

        HttpGetClient client = junction.Invoke(() => new HttpGetClient(
            junction.Stack.TcpConnect(junction.LinuxAddress, 8000), $"{junction.LinuxAddress}:8000", "/1g"));

        Assert.True(junction.WaitUntil(() => client.IsDone, TimeSpan.FromSeconds(240)), $"received {junction.Invoke(() => client.BodyReceived)} body bytes so far");
        Assert.Null(junction.Invoke(() => client.Failure));
        Assert.Equal(expected, junction.Invoke(() => client.BodySha256));
        AssertBothSidesSawFaults(junction);
    }

    private static void AssertBothSidesSawFaults(JunctionInstance junction)
    {
        (long lost, long reorderedIn, long reorderedOut) = junction.Invoke(() => (
            junction.Faults!.ReceiveStatistics.Lost, junction.Faults.ReceiveStatistics.Reordered, junction.Faults.TransmitStatistics.Reordered));
        long droppedByLinux = junction.Lab.Faults.GetLinuxDropCount(LabSide.Client);
        Assert.True(lost > 0 && reorderedIn > 0 && reorderedOut > 0 && droppedByLinux > 0,
            $"faults: {lost} lost and {reorderedIn} reordered on the way to Junction, {reorderedOut} reordered and {droppedByLinux} dropped on the way to Linux");
    }
}
