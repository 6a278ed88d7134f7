using System.Security.Cryptography;
using Junction.Compat;
using Junction.Interop.Tests.Tcp;

namespace Junction.Interop.Tests.Compat;

/// <summary>nginx with a master and two workers, which accept on the listening socket they inherit across fork.</summary>
[Collection(KernelInterop.Name)]
public sealed class NginxTests
{
    private static readonly TimeSpan s_hang = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task Nginx_with_two_workers_under_junction_serves_a_10_MiB_file_to_curl_and_wrk()
    {
        await using CompatLab lab = CompatLab.Start();
        using var directory = new TemporaryDirectory();
        // The workers run as nobody: they must be able to read the files.
        if (OperatingSystem.IsLinux()) File.SetUnixFileMode(directory.Path, (UnixFileMode)0b111_101_101);
        string root = Directory.CreateDirectory(Path.Combine(directory.Path, "www")).FullName;
        byte[] content = LinuxSockets.SeededBytes(10 << 20, 5);
        await File.WriteAllBytesAsync(Path.Combine(root, "big.bin"), content);
        string expected = Convert.ToHexStringLower(SHA256.HashData(content));
        string accessLog = Path.Combine(directory.Path, "access.log");
        await File.WriteAllTextAsync(Path.Combine(directory.Path, "nginx.conf"), $$"""
            daemon off;
            master_process on;
            worker_processes 2;
            pid {{directory.Path}}/nginx.pid;
            error_log {{directory.Path}}/error.log;
            events { worker_connections 1024; }
            http {
              log_format worker '$pid $status $body_bytes_sent';
              access_log {{accessLog}} worker;
              client_body_temp_path {{directory.Path}}/body;
              proxy_temp_path {{directory.Path}}/proxy;
              fastcgi_temp_path {{directory.Path}}/fastcgi;
              uwsgi_temp_path {{directory.Path}}/uwsgi;
              scgi_temp_path {{directory.Path}}/scgi;
              server { listen 8081; root {{root}}; }
            }
            """);

        JunctionProcess nginx = lab.Run("nginx", "-p", directory.Path, "-c", Path.Combine(directory.Path, "nginx.conf"));
        lab.WaitForListener(nginx, 8081);
        string url = $"http://{lab.JunctionAddress}:8081/big.bin";
        (int curlExit, string curl) = lab.RunOnLinux(s_hang, "sh", "-c", $"curl -sS --fail {url} | sha256sum");
        (int wrkExit, string wrk) = lab.RunOnLinux(s_hang, "wrk", "-t2", "-c16", "-d2s", "--timeout", "10s", url);
        (int afterExit, string after) = lab.RunOnLinux(s_hang, "sh", "-c", $"curl -sS --fail {url} | sha256sum");

        string errors = File.Exists(Path.Combine(directory.Path, "error.log")) ? await File.ReadAllTextAsync(Path.Combine(directory.Path, "error.log")) : "";
        Assert.True(curlExit == 0 && curl.StartsWith(expected, StringComparison.Ordinal), $"curl: {curl}\nnginx: {lab.OutputOf(nginx)}{errors}");
        Assert.True(wrkExit == 0, $"wrk failed ({wrkExit}): {wrk}");
        Assert.DoesNotContain("Non-2xx", wrk, StringComparison.Ordinal);
        Assert.Contains("requests in", wrk, StringComparison.Ordinal);
        Assert.True(afterExit == 0 && after.StartsWith(expected, StringComparison.Ordinal), $"curl after wrk: {after}");
        string[] served = (await File.ReadAllLinesAsync(accessLog)).Where(line => line.Contains(" 200 ", StringComparison.Ordinal)).ToArray();
        int workers = served.Select(line => line.Split(' ')[0]).Distinct().Count();
        Assert.True(workers == 2, $"{served.Length} responses came from {workers} worker(s); both should accept on the inherited socket");
    }
}
