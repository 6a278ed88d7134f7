using System.Globalization;
using System.Text.Json;

namespace Junction.Lab;

/// <summary>
/// Loss on the Linux side of a <see cref="JunctionLab"/>: an nftables rule that drops a random share of the IPv4
/// packets arriving on a side's veth end (<c>numgen random</c>). The kernel here has no netem; together with a
/// <see cref="Devices.FaultInjectingDevice"/> around the Junction device, both stacks see loss and must recover.
/// </summary>
/// <remarks>
/// The rule drops on arrival (prerouting), never on departure: a packet the local kernel drops on its way out is
/// reported to its sender as a send failure (TCP keeps it unsent and tries again later, UDP and ping get EPERM),
/// so it would not look like loss on the wire to anyone. ARP is left alone.
/// </remarks>
public sealed class LabFaults
{
    private const string TableName = "junction_lab";
    private const string NftMissingMessage = "Install nftables: apt-get install nftables (the lab's Linux-side loss rule runs the 'nft' command).";
    private readonly JunctionLab _lab;

    internal LabFaults(JunctionLab lab) => _lab = lab;

    /// <summary>
    /// Drops about <paramref name="percent"/> % (0 to 100, in steps of 0.01) of the IPv4 packets arriving at
    /// <paramref name="side"/>'s veth end, replacing any drop rule the side had.
    /// </summary>
    /// <exception cref="InvalidOperationException">nft is not installed (the message says how to install it) or refused the rule.</exception>
    public void AddLinuxDrop(LabSide side, double percent)
    {
        if (!(percent >= 0 && percent <= 100)) throw new ArgumentOutOfRangeException(nameof(percent), percent, "A share must lie between 0 and 100 percent.");
        int perTenThousand = (int)Math.Round(percent * 100);
        LabEndpoint endpoint = _lab.GetEndpoint(side);
        // Recreating the table makes the call idempotent. Priority -300 runs before connection tracking.
        string script = string.Create(CultureInfo.InvariantCulture, $$"""
            table ip {{TableName}}
            delete table ip {{TableName}}
            table ip {{TableName}} {
              chain drop_in {
                type filter hook prerouting priority -300; policy accept;
                iifname "{{endpoint.Interface}}" numgen random mod 10000 < {{perTenThousand}} counter drop
              }
            }

            """);
        Nft(side, ["-f", "-"], script);
    }

    /// <summary>Removes the side's drop rule, if any.</summary>
    public void RemoveLinuxDrop(LabSide side) =>
        Nft(side, ["-f", "-"], $"table ip {TableName}\ndelete table ip {TableName}\n");

    /// <summary>How many packets the side's drop rule has dropped so far (0 when there is no rule).</summary>
    public long GetLinuxDropCount(LabSide side)
    {
        string json = Nft(side, ["-j", "list", "ruleset"], null);
        using JsonDocument document = JsonDocument.Parse(json);
        long total = 0;
        foreach (JsonElement item in document.RootElement.GetProperty("nftables").EnumerateArray())
        {
            if (!item.TryGetProperty("rule", out JsonElement rule)) continue;
            if (rule.GetProperty("table").GetString() != TableName) continue;
            foreach (JsonElement expression in rule.GetProperty("expr").EnumerateArray())
            {
                if (expression.TryGetProperty("counter", out JsonElement counter)) total += counter.GetProperty("packets").GetInt64();
            }
        }
        return total;
    }

    private string Nft(LabSide side, string[] arguments, string? standardInput)
    {
        string nft = LabCommand.Require("nft", NftMissingMessage);
        string[] command = ["netns", "exec", _lab.GetEndpoint(side).Namespace, nft, .. arguments];
        return LabCommand.Run(_lab.IpPath, command, standardInput);
    }
}
