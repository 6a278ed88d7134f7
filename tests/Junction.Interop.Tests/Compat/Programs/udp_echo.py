# UDP under Junction, from Python's socket module:
#   server ADDR PORT         echoes every datagram to its sender (recvfrom/sendto), forever
#   client ADDR PORT COUNT   sends COUNT datagrams to an echo server with sendto and checks each echo and its
#                            sender with recvfrom; then connect() and send/recv on the connected socket
import socket
import sys


def server(address, port):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind((address, port))
        print("ready", flush=True)
        while True:
            data, sender = s.recvfrom(65536)
            s.sendto(data, sender)


def client(address, port, count):
    peer = (address, port)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(10)
        for i in range(count):
            payload = bytes([i % 251]) * (1 + i * 97 % 1400)
            s.sendto(payload, peer)
            data, sender = s.recvfrom(65536)
            assert data == payload, f"datagram {i}: {len(data)} bytes back of {len(payload)}"
            assert sender == peer, f"datagram {i} came from {sender}"
        local = s.getsockname()
        assert local[1] != 0, f"not bound after sendto: {local}"
        s.connect(peer)
        assert s.getpeername() == peer
        s.send(b"connected")
        assert s.recv(100) == b"connected"
    print(f"done {count}", flush=True)


if sys.argv[1] == "server":
    server(sys.argv[2], int(sys.argv[3]))
else:
    client(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
