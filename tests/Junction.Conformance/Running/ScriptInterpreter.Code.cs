using Junction.Conformance.Parsing;
using Junction.Conformance.Running.Python;
using Junction.Stack.Tcp;

namespace Junction.Conformance.Running;

/// <summary>
/// <c>%{ }%</c> blocks: packetdrill takes a tcp_info snapshot of the socket under test (the one most recently
/// created or accepted) at the block's time and runs the block as Python. Here the block runs at once, with the
/// tcpi_* names read from the connection, so a failed assert stops the script at its own line.
/// </summary>
internal sealed partial class ScriptInterpreter
{
    private int? _socketUnderTest;
    private PythonEvaluator? _python;
    private TcpConnectionInfo? _codeSnapshot;
    private int _codeLine;

    private void RunCode(CodeEvent code)
    {
        _python ??= new PythonEvaluator(CodeName);
        _codeSnapshot = null;
        _codeLine = code.Line;
        _python.Run(code.Code, code.Line);
    }

    /// <summary>A name the block did not assign: a tcp_info field of the socket under test, or a packetdrill constant.</summary>
    private long? CodeName(string name, int line)
    {
        if (name.StartsWith("tcpi_", StringComparison.Ordinal))
            return TcpInfoFields.Get(name, _codeSnapshot ??= SnapshotSocketUnderTest(), _host.Now, line);
        return TcpInfoFields.TryGetConstant(name, out long value) ? value : null;
    }

    private TcpConnectionInfo SnapshotSocketUnderTest()
    {
        if (_socketUnderTest is not int fd || !_fds.TryGetValue(fd, out SocketEntry? entry))
            throw new ScriptFailure(_codeLine, "%{ }% block: no open socket to take tcp_info from");
        if (entry.Connection is not TcpConnection connection)
            throw new ScriptFailure(_codeLine, $"%{{ }}% block: fd {fd} has no TCP connection to take tcp_info from");
        return connection.SnapshotInfo();
    }
}
