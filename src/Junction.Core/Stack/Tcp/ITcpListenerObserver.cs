namespace Junction.Stack.Tcp;

/// <summary>Receives a listener's events, on the thread that drives the stack.</summary>
public interface ITcpListenerObserver
{
    /// <summary>A new connection is waiting in the accept queue.</summary>
    void OnAcceptable(TcpListenEndpoint listener);
}
