# The Linux peer of the semantics test: echoes each line back, except "dial HOST PORT", which connects to
# HOST:PORT, sends "hi" and closes (so the program under Junction gets a connection to accept).
import socket
import sys
import threading


def serve(connection):
    with connection, connection.makefile("rwb", buffering=0) as stream:
        for line in stream:
            if line.startswith(b"dial "):
                _, host, port = line.split()
                with socket.create_connection((host.decode(), int(port)), timeout=10) as dialed:
                    dialed.sendall(b"hi\n")
            else:
                stream.write(line)


def main():
    server = socket.create_server((sys.argv[1], int(sys.argv[2])))
    print("ready", flush=True)
    while True:
        connection, _ = server.accept()
        threading.Thread(target=serve, args=(connection,), daemon=True).start()


main()
