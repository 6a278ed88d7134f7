using System.Text;

namespace Junction.Cli.Services;

/// <summary>
/// The TechEmpower "plaintext" answer both servers give: <c>Hello, World!</c> as text/plain, keep-alive. The Junction
/// responder and the Kestrel app send the same bytes, so the load generator measures the stacks, not the payload.
/// </summary>
internal static class HttpPlaintext
{
    public const string Body = "Hello, World!";

    public const string Path = "/plaintext";

    /// <summary>The whole response, status line to body (a fixed Date header keeps it constant).</summary>
    public static readonly byte[] Response = Encoding.ASCII.GetBytes(
        "HTTP/1.1 200 OK\r\n" +
        "Content-Length: 13\r\n" +
        "Content-Type: text/plain\r\n" +
        "Date: Thu, 01 Jan 2026 00:00:00 GMT\r\n" +
        "Server: Junction\r\n" +
        "\r\n" +
        Body);

    /// <summary>The request the built-in load generator sends (what wrk sends, give or take headers).</summary>
    public static byte[] Request(string host) => Encoding.ASCII.GetBytes($"GET {Path} HTTP/1.1\r\nHost: {host}\r\n\r\n");
}
