using System.Diagnostics;
using Junction.Devices;
using Junction.Devices.Memory;
using Junction.Simulation;
using Junction.Stack;
using Junction.Stack.Tcp;

namespace Junction.Tests.EndToEnd;

public sealed class CaptureTests
{
    [Fact]
    public void Capture_of_a_lossy_transfer_opens_in_tshark_without_malformed_packets()
    {
        string path = Path.Combine(Path.GetTempPath(), $"junction-capture-{Guid.NewGuid():N}.pcap");
        try
        {
            // Loss, reordering and duplication, but no corruption: a flipped bit can make any dissector call a frame
            // malformed, and that would be the injector's doing, not the stack's.
            var port = new VirtualPortOptions
            {
                Faults = new FaultSettings { LossRate = 0.03, ReorderRate = 0.03, DuplicateRate = 0.01, Delay = TimeSpan.FromMilliseconds(1), Seed = 5 },
            };
            NetStack a;
            using (var writer = new PcapWriter(path))
            using (var network = new SimulatedNetwork(seed: 3))
            {
                a = network.AddStack("10.3.0.1", port, decorate: p => new CaptureDevice(p, writer, network.Clock, leaveOpen: true));
                NetStack b = network.AddStack("10.3.0.2", port with { Faults = port.Faults with { Seed = 6 } });
                using TcpListenEndpoint listener = b.TcpListen(80);
                TcpConnection client = a.TcpConnect(b.Address, 80);
                TcpConnection? server = null;
                Assert.True(network.RunUntil(() => listener.TryAccept(out server), TimeSpan.FromMinutes(1)));
                var transfer = new TcpTransfer(client, server!, 2 << 20, seed: 1);
                Assert.True(network.RunUntil(() => transfer.Finished, TimeSpan.FromMinutes(30), transfer.Step));
                Assert.Equal(transfer.SentDigest, transfer.ReceivedDigest);
                client.Close();
                server!.Close();
                network.RunFor(TimeSpan.FromSeconds(5));
            }
            // Read after disposal: closing the stack may still send (a reset for a connection not yet gone).
            long framesCaptured = a.Statistics.FramesReceived + a.Statistics.FramesSent;

            (int exitCode, string output, string errors) = Tshark($"-r \"{path}\" -q -z expert,error");
            Assert.True(exitCode == 0, errors);
            Assert.DoesNotContain("Malformed", output, StringComparison.OrdinalIgnoreCase);

            (exitCode, output, errors) = Tshark($"-r \"{path}\" -T fields -e frame.number");
            Assert.True(exitCode == 0, errors);
            Assert.Equal(framesCaptured, output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static (int ExitCode, string Output, string Errors) Tshark(string arguments)
    {
        var start = new ProcessStartInfo("tshark", arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        using Process process = Process.Start(start) ?? throw new InvalidOperationException("tshark did not start; the test command installs it.");
        Task<string> errors = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output, errors.Result);
    }
}
