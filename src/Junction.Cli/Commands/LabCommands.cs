using System.CommandLine;
using Junction.Lab;
using Spectre.Console;

namespace Junction.Cli.Commands;

/// <summary><c>junction lab up|down|status</c>: persistent two-namespace veth labs.</summary>
internal static class LabCommands
{
    public const string DefaultName = "lab";

    public static Command Build()
    {
        var lab = new Command("lab", "Create, remove and list two-namespace veth labs (root): the server side runs Junction, the client side is a plain Linux namespace.");

        var name = new Option<string>("--name", "-n") { Description = $"The lab's name (1-{JunctionLab.MaxNameLength} lower-case letters and digits).", DefaultValueFactory = _ => DefaultName };
        var queues = new Option<int>("--queues", "-q") { Description = "Queue pairs on each veth end.", DefaultValueFactory = _ => 1 };
        var json = new Option<bool>("--json") { Description = "Print exactly one JSON object describing the lab." };
        var up = new Command("up", "Create a lab that stays up until 'junction lab down NAME'.") { name, queues, json };
        up.SetAction(parse => Cli.Guard(() => Up(parse.GetValue(name)!, parse.GetValue(queues), parse.GetValue(json))));

        var downName = new Argument<string>("name") { Description = "The lab to remove.", DefaultValueFactory = _ => DefaultName };
        var down = new Command("down", "Remove a lab: its namespaces and veth pair.") { downName };
        down.SetAction(parse => Cli.Guard(() => Down(parse.GetValue(downName)!)));

        var statusJson = new Option<bool>("--json") { Description = "Print a JSON array of lab descriptions." };
        var status = new Command("status", "List the labs that are up.") { statusJson };
        status.SetAction(parse => Cli.Guard(() => Status(parse.GetValue(statusJson))));

        lab.Add(up);
        lab.Add(down);
        lab.Add(status);
        return lab;
    }

    private static int Up(string name, int queues, bool json)
    {
        Cli.RequireRoot("junction lab up");
        using JunctionLab lab = JunctionLab.Create(new LabOptions { Name = name, QueueCount = queues });
        if (json)
        {
            Console.WriteLine(LabDescription.ToJson(lab));
            return 0;
        }
        AnsiConsole.MarkupLine($"Lab [bold]{name}[/] is up.");
        Print(lab);
        AnsiConsole.WriteLine();
        AnsiConsole.MarkupLine($"Serve on it:   [grey]junction serve http --lab {name}[/]");
        AnsiConsole.MarkupLine($"Then:          [grey]ip netns exec {lab.Client.Namespace} curl http://{lab.JunctionAddress}/[/]");
        AnsiConsole.MarkupLine($"Remove it:     [grey]junction lab down {name}[/]");
        return 0;
    }

    private static int Down(string name)
    {
        Cli.RequireRoot("junction lab down");
        if (!JunctionLab.Remove(name))
        {
            Console.Error.WriteLine($"junction: there is no lab named '{name}' (nothing removed).");
            return 1;
        }
        Console.WriteLine($"Lab {name} removed.");
        return 0;
    }

    private static int Status(bool json)
    {
        Cli.RequireRoot("junction lab status");
        IReadOnlyList<string> names = JunctionLab.ListPersistent();
        if (json)
        {
            var items = new List<string>();
            foreach (string name in names)
            {
                using JunctionLab lab = JunctionLab.Open(name);
                items.Add(LabDescription.ToJson(lab));
            }
            Console.WriteLine("[" + string.Join(",", items) + "]");
            return 0;
        }
        if (names.Count == 0)
        {
            Console.WriteLine("No lab is up. Create one with: junction lab up");
            return 0;
        }
        foreach (string name in names)
        {
            using JunctionLab lab = JunctionLab.Open(name);
            AnsiConsole.MarkupLine($"Lab [bold]{name}[/]: MTU {lab.Mtu}, {lab.QueueCount} queue pair(s)");
            Print(lab);
        }
        return 0;
    }

    private static void Print(JunctionLab lab)
    {
        var table = new Table().AddColumns("side", "namespace", "interface", "ip", "mac", "role");
        table.AddRow("server", lab.Server.Namespace, lab.Server.Interface, $"{lab.JunctionAddress}/{JunctionLab.PrefixLength}", lab.Server.MacAddress.ToString(),
            "Junction (AF_XDP)");
        table.AddRow("client", lab.Client.Namespace, lab.Client.Interface, $"{lab.ClientAddress}/{JunctionLab.PrefixLength}", lab.Client.MacAddress.ToString(),
            "Linux peer");
        AnsiConsole.Write(table);
    }
}
