using Junction.Cli.Hosting;
using Junction.Cli.Services;
using System.Buffers;
using Junction.Sockets;

namespace Junction.Cli.Tests.Hosting;

/// <summary>The plaintext app on Kestrel's Junction transport over a host's instance (http-plaintext, serve http).</summary>
public sealed class KestrelOnHostTests
{
    [Fact]
    public async Task Plaintext_app_answers_over_the_hosts_instance_which_outlives_the_server_and_parks_when_idle()
    {
        using var pair = new SwitchPair();
        using var network = JunctionNetwork.ForInstance(pair.Client.Instance);
        using HttpClient http = network.CreateHttpClient();
        http.Timeout = TimeSpan.FromSeconds(30);
        await using (JunctionKestrelServer server = await JunctionKestrelServer.StartAsync(pair.Server.Instance, 8080))
        {
            for (int i = 0; i < 3; i++)
            {
                string body = await http.GetStringAsync($"http://{SwitchPair.ServerAddress}:8080{HttpPlaintext.Path}");
                Assert.Equal(HttpPlaintext.Body, body);
            }
            Assert.True(SwitchPair.Eventually(() => pair.Server.Instance.IsIdle), "the server instance never parked between requests");
        }
        // The transport was handed the instance: stopping Kestrel leaves it to the host, still serving.
        await using var echo = new EchoService(pair.Server.Instance, 7);
        using JunctionConnection connection = await JunctionConnection.ConnectAsync(pair.Client.Instance, SwitchPair.ServerEndPoint(7)).WaitAsync(TimeSpan.FromSeconds(30));
        await connection.Output.WriteAsync("after"u8.ToArray());
        System.IO.Pipelines.ReadResult read = await connection.Input.ReadAtLeastAsync(5).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal("after"u8.ToArray(), read.Buffer.ToArray());
        connection.Input.AdvanceTo(read.Buffer.End);
    }
}
