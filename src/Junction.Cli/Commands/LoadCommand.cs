using System.CommandLine;
using System.Net;
using System.Text.Json;
using Junction.Cli.Load;

namespace Junction.Cli.Commands;

/// <summary>
/// The hidden <c>junction load</c>: a scenario's load generator, run by <c>bench</c> and <c>demo</c> as a child
/// process in the lab's client namespace. It prints the window markers and one result line (see <see cref="ClientProcess"/>).
/// </summary>
internal static class LoadCommand
{
    public static Command Build()
    {
        var scenario = new Argument<string>("scenario") { Description = "tcp-rr, tcp-bulk, udp-pps or http-plaintext." };
        var target = new Option<string>("--target") { Description = "ADDRESS:PORT to load.", Required = true };
        var connections = new Option<int>("--connections") { DefaultValueFactory = _ => 1 };
        var warmup = new Option<double>("--warmup") { DefaultValueFactory = _ => 1 };
        var duration = new Option<double>("--duration") { DefaultValueFactory = _ => 5 };
        var senders = new Option<int>("--udp-senders") { DefaultValueFactory = _ => 2 };
        var command = new Command("load", "Internal: a load generator, run by bench and demo in the client namespace.")
        {
            scenario, target, connections, warmup, duration, senders,
        };
        command.Hidden = true;
        command.SetAction((parse, cancellationToken) => Cli.GuardAsync(async () =>
        {
            var request = new LoadRequest(
                Scenarios.Parse(parse.GetValue(scenario)!),
                IPEndPoint.Parse(parse.GetValue(target)!),
                parse.GetValue(connections),
                TimeSpan.FromSeconds(parse.GetValue(warmup)),
                TimeSpan.FromSeconds(parse.GetValue(duration)))
            {
                UdpSenders = parse.GetValue(senders),
            };
            LoadFigures figures = await LoadGenerator.RunAsync(request, LinuxConnector.To(request.Target),
                () => Console.Out.WriteLine(ClientProcess.WindowStart), () => Console.Out.WriteLine(ClientProcess.WindowEnd)).ConfigureAwait(false);
            Console.Out.WriteLine(ClientProcess.ResultPrefix + JsonSerializer.Serialize(figures, LoadFiguresJson.Default.LoadFigures));
            return 0;
        }));
        return command;
    }
}
