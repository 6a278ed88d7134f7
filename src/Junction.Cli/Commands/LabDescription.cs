using System.Text;
using System.Text.Json;
using Junction.Lab;

namespace Junction.Cli.Commands;

/// <summary>
/// What <c>junction lab up --json</c> prints: exactly one object,
/// <c>{"name", "server": {"namespace", "interface", "ip", "mac"}, "client": {…}}</c>. The server's ip is the address
/// <c>junction serve --lab</c> answers on (a Junction address the server kernel does not own), in CIDR form.
/// </summary>
internal static class LabDescription
{
    public static string ToJson(JunctionLab lab)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = false }))
        {
            json.WriteStartObject();
            json.WriteString("name", lab.Name);
            WriteSide(json, "server", lab.Server, $"{lab.JunctionAddress}/{JunctionLab.PrefixLength}");
            WriteSide(json, "client", lab.Client, $"{lab.ClientAddress}/{JunctionLab.PrefixLength}");
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void WriteSide(Utf8JsonWriter json, string name, LabEndpoint side, string ip)
    {
        json.WriteStartObject(name);
        json.WriteString("namespace", side.Namespace);
        json.WriteString("interface", side.Interface);
        json.WriteString("ip", ip);
        json.WriteString("mac", side.MacAddress.ToString());
        json.WriteEndObject();
    }
}
