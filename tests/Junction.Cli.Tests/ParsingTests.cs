using System.CommandLine;
using Junction.Cli.Commands;
using Junction.Cli.Hosting;
using Junction.Cli.Load;

namespace Junction.Cli.Tests;

public sealed class ParsingTests
{
    private static ParseResult Parse(string line) => Cli.Build().Parse(line);

    [Theory]
    [InlineData("demo")]
    [InlineData("demo --duration 3 --connections 8 --out x --load builtin")]
    [InlineData("bench tcp-rr --duration 2 --json r.json")]
    [InlineData("bench all -c 4")]
    [InlineData("bench http-plaintext --load wrk --xdp-mode Generic --kthreads 1 --spin-us 0")]
    [InlineData("serve echo --lab demo --kthreads 4 --spin-us 200")]
    [InlineData("lab up --name demo --queues 2 --json")]
    [InlineData("lab down demo")]
    [InlineData("lab status --json")]
    [InlineData("serve http --lab demo --port 8080 --pcap out.pcap")]
    [InlineData("serve echo --interface eth1 --ip 10.0.0.1/24")]
    [InlineData("load tcp-rr --target 10.77.0.1:7 --connections 2 --duration 1")]
    public void Accepts_the_documented_command_lines(string line) => Assert.Empty(Parse(line).Errors);

    [Theory]
    [InlineData("bench tcp-ping")]
    [InlineData("serve ftp --lab demo")]
    [InlineData("bench tcp-rr --duration soon")]
    [InlineData("bench http-plaintext --load ab")]
    [InlineData("lab up --queues")]
    [InlineData("bench tcp-rr --pin")]
    [InlineData("bench tcp-rr --kthreads many")]
    [InlineData("frobnicate")]
    public void Rejects_unknown_scenarios_protocols_and_malformed_values(string line) => Assert.NotEmpty(Parse(line).Errors);

    [Fact]
    public void Lab_up_defaults_to_the_lab_named_lab_with_one_queue()
    {
        ParseResult result = Parse("lab up");
        Assert.Empty(result.Errors);
        Assert.Equal("lab", result.GetValue<string>("--name"));
        Assert.Equal(1, result.GetValue<int>("--queues"));
        Assert.Equal(LabCommands.DefaultName, result.GetValue<string>("--name"));
    }

    [Fact]
    public void Bench_options_reach_their_values()
    {
        ParseResult result = Parse("bench tcp-bulk --duration 2.5 --connections 3 --json out.json");
        Assert.Equal("tcp-bulk", result.GetValue<string>("scenario"));
        Assert.Equal(2.5, result.GetValue<double>("--duration"));
        Assert.Equal(3, result.GetValue<int?>("--connections"));
        Assert.Equal("out.json", result.GetValue<string?>("--json"));
    }

    [Theory]
    [InlineData("tcp-rr", nameof(Scenario.TcpRr), 7)]
    [InlineData("tcp-bulk", nameof(Scenario.TcpBulk), 9)]
    [InlineData("udp-pps", nameof(Scenario.UdpPps), 9)]
    [InlineData("http-plaintext", nameof(Scenario.HttpPlaintext), 8080)]
    public void Scenario_names_round_trip_and_have_their_ports(string name, string member, int port)
    {
        Scenario scenario = Enum.Parse<Scenario>(member);
        Assert.Equal(scenario, Scenarios.Parse(name));
        Assert.Equal(name, Scenarios.Name(scenario));
        Assert.Equal(port, Scenarios.Port(scenario));
    }

    [Fact]
    public void Runtime_options_reach_the_host_settings_and_out_of_range_values_are_refused()
    {
        ParseResult result = Parse("bench udp-pps --kthreads 1 --spin-us 0");
        HostSettings settings = ServeCommand.Settings(Devices.Xdp.XdpAttachMode.Auto, null, result.GetValue<int>("--kthreads"), result.GetValue<double>("--spin-us"));
        Assert.Equal(1, settings.MaxKthreads);
        Assert.Equal(TimeSpan.Zero, settings.SpinBeforePark);
        ParseResult defaults = Parse("serve echo --lab demo");
        HostSettings standard = ServeCommand.Settings(Devices.Xdp.XdpAttachMode.Auto, "x.pcap", defaults.GetValue<int>("--kthreads"), defaults.GetValue<double>("--spin-us"));
        Assert.Equal(1, standard.MaxKthreads);
        Assert.Equal(TimeSpan.FromMicroseconds(50), standard.SpinBeforePark);
        Assert.Equal("x.pcap", standard.PcapPath);
        Assert.Throws<ArgumentException>(() => ServeCommand.Settings(Devices.Xdp.XdpAttachMode.Auto, null, 0, 50));
        Assert.Throws<ArgumentException>(() => ServeCommand.Settings(Devices.Xdp.XdpAttachMode.Auto, null, 2, -1));
        Assert.Throws<ArgumentException>(() => ServeCommand.Settings(Devices.Xdp.XdpAttachMode.Auto, null, 2, double.NaN));
    }

    [Fact]
    public void Serve_ip_takes_address_and_prefix()
    {
        (Wire.Ipv4Address address, int prefix) = ServeCommand.ParseCidr("10.0.0.7/16");
        Assert.Equal(Wire.Ipv4Address.Parse("10.0.0.7"), address);
        Assert.Equal(16, prefix);
        Assert.Throws<ArgumentException>(() => ServeCommand.ParseCidr("10.0.0.7"));
        Assert.Throws<ArgumentException>(() => ServeCommand.ParseCidr("10.0.0.7/33"));
    }
}
