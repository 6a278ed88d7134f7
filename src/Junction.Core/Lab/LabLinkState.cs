using System.Text.Json;
using Junction.Wire;

namespace Junction.Lab;

/// <summary>
/// What the system says about one end of an existing lab's veth pair (<c>ip -json</c>): how <see cref="JunctionLab.Open"/>
/// learns the settings of a persistent lab that another process created.
/// </summary>
internal readonly record struct LabLinkState(int InterfaceIndex, MacAddress MacAddress, int Mtu, int QueueCount, Ipv4Address? Address)
{
    public static LabLinkState Read(string ip, string namespaceName, string interfaceName)
    {
        string link = LabCommand.Run(ip, ["-n", namespaceName, "-json", "-details", "link", "show", "dev", interfaceName]);
        using JsonDocument linkDocument = JsonDocument.Parse(link);
        JsonElement entry = linkDocument.RootElement[0];
        int index = entry.GetProperty("ifindex").GetInt32();
        MacAddress mac = MacAddress.Parse(entry.GetProperty("address").GetString() ?? "");
        int mtu = entry.GetProperty("mtu").GetInt32();
        int queues = entry.TryGetProperty("num_rx_queues", out JsonElement rx) ? rx.GetInt32() : 1;

        string addresses = LabCommand.Run(ip, ["-n", namespaceName, "-json", "-4", "address", "show", "dev", interfaceName]);
        using JsonDocument addressDocument = JsonDocument.Parse(addresses);
        Ipv4Address? address = null;
        foreach (JsonElement item in addressDocument.RootElement.EnumerateArray())
        {
            if (!item.TryGetProperty("addr_info", out JsonElement infos)) continue;
            foreach (JsonElement info in infos.EnumerateArray())
            {
                if (info.TryGetProperty("local", out JsonElement local) && local.GetString() is { } text)
                {
                    address = Ipv4Address.Parse(text);
                    break;
                }
            }
        }
        return new LabLinkState(index, mac, mtu, queues, address);
    }
}
