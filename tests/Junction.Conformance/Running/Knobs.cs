using System.Globalization;
using Junction.Stack.Tcp;
using Junction.Stack.Tcp.Congestion;

namespace Junction.Conformance.Running;

/// <summary>
/// Maps the sysctl writes scripts make (<c>sysctl -q net.ipv4.tcp_sack=0</c>, or a shell file of them such as
/// packetdrill's <c>defaults.sh</c>) onto <see cref="TcpSettings"/>. Every write is either applied, recognised as what
/// Junction does anyway, or reported as unsupported: none is ignored silently.
/// </summary>
internal static class Knobs
{
    /// <summary>Applies one <c>name=value</c> write; returns null when applied, else why not.</summary>
    public static string? Apply(TcpSettings settings, string name, string value)
    {
        string key = name.StartsWith("net.ipv4.", StringComparison.Ordinal) ? name["net.ipv4.".Length..] : name;
        value = value.Trim().Trim('"', '\'');
        switch (key)
        {
            case "tcp_timestamps": return Bool(value, v => settings.Timestamps = v);
            case "tcp_sack": return Bool(value, v => settings.Sack = v);
            case "tcp_window_scaling": return Bool(value, v => settings.WindowScaling = v);
            case "tcp_syncookies":
                return value switch
                {
                    "0" => Set(() => settings.SynCookies = false),
                    "1" => Set(() => settings.SynCookies = true),
                    _ => $"tcp_syncookies={value} (only 0 and 1: Junction sends cookies only when the SYN queue is full)",
                };
            case "tcp_syn_retries": return Int(value, v => settings.SynRetries = v);
            case "tcp_synack_retries": return Int(value, v => settings.SynAckRetries = v);
            case "tcp_retries2": return Int(value, v => settings.MaxRetransmissions = v);
            case "tcp_keepalive_time": return Int(value, v => settings.KeepAliveTime = TimeSpan.FromSeconds(v));
            case "tcp_keepalive_intvl": return Int(value, v => settings.KeepAliveInterval = TimeSpan.FromSeconds(v));
            case "tcp_keepalive_probes": return Int(value, v => settings.KeepAliveProbes = v);
            case "tcp_max_syn_backlog": return Int(value, v => settings.SynQueueLength = v);
            case "tcp_challenge_ack_limit": return Int(value, v => settings.ChallengeAckLimit = v);
            case "tcp_congestion_control":
                return value switch
                {
                    "cubic" => Set(() => settings.CongestionControl = CongestionControlAlgorithm.Cubic),
                    "reno" => Set(() => settings.CongestionControl = CongestionControlAlgorithm.NewReno),
                    _ => $"tcp_congestion_control={value} (Junction has cubic and reno)",
                };
            case "tcp_rmem": return Triple(value, v => settings.ReceiveBufferSize = v);
            case "tcp_wmem": return Triple(value, v => settings.SendBufferSize = v);
            case "ip_local_port_range":
                string[] range = value.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
                if (range.Length == 2 && ushort.TryParse(range[0], CultureInfo.InvariantCulture, out ushort first) && ushort.TryParse(range[1], CultureInfo.InvariantCulture, out ushort last))
                {
                    settings.EphemeralPortFirst = first;
                    settings.EphemeralPortLast = last;
                    return null;
                }
                return $"{key}={value} (expected two ports)";
            // Writes that ask for what Junction always does.
            case "tcp_ecn" when value == "0": return null;
            case "tcp_fack" when value == "0": return null;
            case "tcp_reordering" when value == "3": return null;
            case "tcp_fastopen" when value == "0": return null;
            // tcp_recovery bit 0 is RACK loss detection (bits 1 and 2 tune it: no static reordering window, no
            // reordering-window adaptation; Junction always adapts as RFC 8985 says).
            case "tcp_recovery":
                return value switch
                {
                    "0" => Set(() => settings.Rack = false),
                    "1" => Set(() => settings.Rack = true),
                    _ => $"tcp_recovery={value} (only 0 and 1)",
                };
            // tcp_early_retrans 3 and 4 turn tail loss probes on (Linux: 3); 0 turns them off. Early retransmit
            // (RFC 5827, values 1 and 2) is not implemented: RACK covers it.
            case "tcp_early_retrans":
                return value switch
                {
                    "0" => Set(() => settings.TailLossProbe = false),
                    "3" or "4" => Set(() => settings.TailLossProbe = true),
                    _ => $"tcp_early_retrans={value} (only 0, 3 and 4)",
                };
            // Junction has no F-RTO: turning it off asks for what it does.
            case "tcp_frto" when value == "0": return null;
            default: return $"{key}={value}";
        }
    }

    /// <summary>Runs a shell line: <c>sysctl</c> writes are applied, anything else is reported.</summary>
    public static IEnumerable<string> RunCommand(TcpSettings settings, string command, string scriptDirectory, int depth = 0)
    {
        foreach (string raw in command.Split(['\n', ';'], StringSplitOptions.RemoveEmptyEntries))
        {
            string line = StripRedirects(raw.Trim());
            if (line.Length == 0 || line.StartsWith('#')) continue;
            foreach (string part in line.Split("&&", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                foreach (string problem in RunOne(settings, part, scriptDirectory, depth)) yield return problem;
            }
        }
    }

    private static IEnumerable<string> RunOne(TcpSettings settings, string command, string scriptDirectory, int depth)
    {
        string[] words = SplitWords(command);
        if (words.Length == 0) yield break;
        if (words[0] == "sysctl")
        {
            foreach (string word in words.Skip(1))
            {
                if (word.StartsWith('-')) continue;
                int eq = word.IndexOf('=', StringComparison.Ordinal);
                if (eq < 0)
                {
                    yield return $"sysctl read '{word}'";
                    continue;
                }
                string? problem = Apply(settings, word[..eq], word[(eq + 1)..]);
                if (problem is not null) yield return "sysctl " + problem;
            }
            yield break;
        }
        if (words[0].EndsWith("set_sysctls.py", StringComparison.Ordinal))
        {
            // packetdrill's helper: each argument is /proc/sys/net/ipv4/NAME=VALUE.
            foreach (string word in words.Skip(1))
            {
                int eq = word.IndexOf('=', StringComparison.Ordinal);
                const string Proc = "/proc/sys/";
                if (eq < 0 || !word.StartsWith(Proc, StringComparison.Ordinal))
                {
                    yield return $"set_sysctls.py argument '{word}'";
                    continue;
                }
                string? problem = Apply(settings, word[Proc.Length..eq].Replace('/', '.'), word[(eq + 1)..]);
                if (problem is not null) yield return "sysctl " + problem;
            }
            yield break;
        }
        string path = Path.Combine(scriptDirectory, words[0]);
        if (depth < 4 && words[0].EndsWith(".sh", StringComparison.Ordinal) && File.Exists(path))
        {
            foreach (string problem in RunCommand(settings, File.ReadAllText(path), Path.GetDirectoryName(path)!, depth + 1))
                yield return problem;
            yield break;
        }
        yield return $"shell command '{command}'";
    }

    private static string StripRedirects(string line)
    {
        foreach (string redirect in new[] { "> /dev/null 2>&1", ">/dev/null 2>&1", "2>/dev/null", "> /dev/null", ">/dev/null" })
            line = line.Replace(redirect, "", StringComparison.Ordinal);
        return line.Trim();
    }

    /// <summary>Splits on spaces, keeping quoted values (<c>tcp_rmem="4096 87380 6291456"</c>) together.</summary>
    private static string[] SplitWords(string command)
    {
        var words = new List<string>();
        var current = new System.Text.StringBuilder();
        char quote = '\0';
        foreach (char c in command)
        {
            if (quote != '\0')
            {
                if (c == quote) quote = '\0';
                else current.Append(c);
            }
            else if (c is '"' or '\'') quote = c;
            else if (c is ' ' or '\t')
            {
                if (current.Length > 0) words.Add(current.ToString());
                current.Clear();
            }
            else current.Append(c);
        }
        if (current.Length > 0) words.Add(current.ToString());
        return [.. words];
    }

    private static string? Set(Action apply)
    {
        apply();
        return null;
    }

    private static string? Bool(string value, Action<bool> apply)
    {
        if (value is not ("0" or "1")) return $"value '{value}' (expected 0 or 1)";
        apply(value == "1");
        return null;
    }

    private static string? Int(string value, Action<int> apply)
    {
        if (!int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v)) return $"value '{value}' (expected an integer)";
        apply(v);
        return null;
    }

    /// <summary>
    /// <c>min default max</c>: Junction has one size per direction, the bound its buffers (and windows) grow to; the max is
    /// used, which also gives the window scale Linux derives from it.
    /// </summary>
    private static string? Triple(string value, Action<int> apply)
    {
        string[] parts = value.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 3 || !TryEvaluate(parts[2], out long v) || v is <= 0 or > int.MaxValue) return $"value '{value}' (expected 'min default max')";
        apply((int)v);
        return null;
    }

    /// <summary>
    /// A number, or a shell arithmetic expansion of products and sums of numbers (<c>$((15*1024*1024))</c>, as
    /// packetdrill's <c>defaults.sh</c> writes tcp_rmem).
    /// </summary>
    internal static bool TryEvaluate(string text, out long value)
    {
        value = 0;
        if (text.StartsWith("$((", StringComparison.Ordinal) && text.EndsWith("))", StringComparison.Ordinal)) text = text[3..^2];
        foreach (string term in text.Split('+'))
        {
            long product = 1;
            foreach (string factor in term.Split('*'))
            {
                if (!long.TryParse(factor.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out long f)) return false;
                product = checked(product * f);
            }
            value = checked(value + product);
        }
        return true;
    }
}
