/* Socket semantics a program under Junction relies on, checked from inside the program: errno values,
 * non-blocking connect, epoll over Junction and ordinary descriptors, IPv4-mapped AF_INET6, socket options,
 * bad pointers. Usage: semantics JUNCTION_ADDR LINUX_ADDR ECHO_PORT CLOSED_PORT SILENT_ADDR LISTEN_PORT
 *        semantics partial LINUX_ADDR PORT   (reads 64 KiB of a stream, then exits without closing)
 * Prints "ok NAME" or "FAIL NAME: why" per check; the exit code is the number of failures. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

static int failures;

#define CHECK(name, cond, ...)                                                                               \
    do {                                                                                                     \
        if (cond) {                                                                                          \
            printf("ok %s\n", name);                                                                         \
        } else {                                                                                             \
            failures++;                                                                                      \
            printf("FAIL %s: ", name);                                                                       \
            printf(__VA_ARGS__);                                                                             \
            printf(" (errno %d %s)\n", errno, strerror(errno));                                              \
        }                                                                                                    \
        fflush(stdout);                                                                                      \
    } while (0)

static struct sockaddr_in v4(const char *address, int port)
{
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_port = htons((unsigned short)port);
    inet_pton(AF_INET, address, &a.sin_addr);
    return a;
}

static struct sockaddr_in6 mapped(const char *address, int port)
{
    struct sockaddr_in6 a = {0};
    char text[64];
    snprintf(text, sizeof text, "::ffff:%s", address);
    a.sin6_family = AF_INET6;
    a.sin6_port = htons((unsigned short)port);
    inet_pton(AF_INET6, text, &a.sin6_addr);
    return a;
}

static int read_line(int fd, char *buffer, size_t size)
{
    size_t have = 0;
    while (have + 1 < size) {
        ssize_t n = read(fd, buffer + have, 1);
        if (n <= 0) break;
        if (buffer[have++] == '\n') break;
    }
    buffer[have] = 0;
    return (int)have;
}

static int partial(const char *linux_address, int port)
{
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in peer = v4(linux_address, port);
    if (connect(s, (struct sockaddr *)&peer, sizeof peer) != 0) return 2;
    static char buffer[65536];
    size_t total = 0;
    while (total < sizeof buffer) {
        ssize_t n = read(s, buffer, sizeof buffer - total);
        if (n <= 0) return 3;
        total += (size_t)n;
    }
    printf("read %zu\n", total);
    fflush(stdout);
    _exit(0); /* the kernel closes the socket with bytes still arriving */
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "partial") == 0) return partial(argv[2], atoi(argv[3]));
    if (argc != 7) {
        fprintf(stderr, "usage: %s JUNCTION_ADDR LINUX_ADDR ECHO_PORT CLOSED_PORT SILENT_ADDR LISTEN_PORT\n",
                argv[0]);
        return 100;
    }
    const char *junction = argv[1], *linux_address = argv[2], *silent = argv[5];
    int echo_port = atoi(argv[3]), closed_port = atoi(argv[4]), listen_port = atoi(argv[6]);
    int one = 1, value = 0;
    socklen_t length;

    /* bind: a port somebody listens on is taken, even with SO_REUSEADDR. */
    int listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in any = v4("0.0.0.0", listen_port);
    CHECK("bind", bind(listener, (struct sockaddr *)&any, sizeof any) == 0, "bind 0.0.0.0:%d", listen_port);
    CHECK("listen", listen(listener, 16) == 0, "listen");
    int second = socket(AF_INET, SOCK_STREAM, 0);
    setsockopt(second, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    errno = 0;
    CHECK("eaddrinuse", bind(second, (struct sockaddr *)&any, sizeof any) == -1 && errno == EADDRINUSE,
          "second bind to the same port");
    close(second);
    struct sockaddr_in foreign = v4("192.0.2.1", 0);
    int third = socket(AF_INET, SOCK_STREAM, 0);
    errno = 0;
    CHECK("eaddrnotavail",
          bind(third, (struct sockaddr *)&foreign, sizeof foreign) == -1 && errno == EADDRNOTAVAIL,
          "bind to an address that is not ours");
    close(third);

    struct sockaddr_in name;
    length = sizeof name;
    CHECK("getsockname-any",
          getsockname(listener, (struct sockaddr *)&name, &length) == 0 && length == sizeof name &&
              name.sin_addr.s_addr == 0 && ntohs(name.sin_port) == listen_port,
          "got port %d", ntohs(name.sin_port));
    int duplicate = dup(listener);
    length = sizeof name;
    CHECK("dup-keeps-identity",
          getsockname(duplicate, (struct sockaddr *)&name, &length) == 0 &&
              ntohs(name.sin_port) == listen_port,
          "getsockname on a dup");
    close(duplicate);
    errno = 0;
    CHECK("accept-eagain", accept(listener, NULL, NULL) == -1 && errno == EAGAIN,
          "non-blocking accept, nothing queued");

    /* Blocking connect: refused, then connected. */
    int refused = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in closed = v4(linux_address, closed_port);
    errno = 0;
    CHECK("econnrefused",
          connect(refused, (struct sockaddr *)&closed, sizeof closed) == -1 && errno == ECONNREFUSED,
          "connect to a closed port");
    close(refused);

    int echo = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in echo_address = v4(linux_address, echo_port);
    CHECK("connect", connect(echo, (struct sockaddr *)&echo_address, sizeof echo_address) == 0,
          "blocking connect");
    struct sockaddr_in peer;
    length = sizeof peer;
    CHECK("getpeername",
          getpeername(echo, (struct sockaddr *)&peer, &length) == 0 &&
              peer.sin_addr.s_addr == echo_address.sin_addr.s_addr && peer.sin_port == echo_address.sin_port,
          "peer");
    length = sizeof name;
    struct in_addr ours;
    inet_pton(AF_INET, junction, &ours);
    CHECK("getsockname-connected",
          getsockname(echo, (struct sockaddr *)&name, &length) == 0 && name.sin_addr.s_addr == ours.s_addr &&
              name.sin_port != 0,
          "local");
    errno = 0;
    CHECK("eisconn",
          connect(echo, (struct sockaddr *)&echo_address, sizeof echo_address) == -1 && errno == EISCONN,
          "second connect");

    /* Options. */
    setsockopt(echo, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    length = sizeof value;
    CHECK("tcp-nodelay", getsockopt(echo, IPPROTO_TCP, TCP_NODELAY, &value, &length) == 0 && value == 1,
          "value %d", value);
    length = sizeof value;
    CHECK("so-type", getsockopt(echo, SOL_SOCKET, SO_TYPE, &value, &length) == 0 && value == SOCK_STREAM,
          "value %d", value);
    length = sizeof value;
    CHECK("so-domain", getsockopt(echo, SOL_SOCKET, SO_DOMAIN, &value, &length) == 0 && value == AF_INET,
          "value %d", value);
    setsockopt(echo, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
    length = sizeof value;
    CHECK("so-keepalive", getsockopt(echo, SOL_SOCKET, SO_KEEPALIVE, &value, &length) == 0 && value == 1,
          "value %d", value);
    length = sizeof value;
    CHECK("so-error", getsockopt(echo, SOL_SOCKET, SO_ERROR, &value, &length) == 0 && value == 0, "value %d",
          value);
    length = sizeof value;
    CHECK("so-rcvbuf", getsockopt(echo, SOL_SOCKET, SO_RCVBUF, &value, &length) == 0 && value > 0, "value %d",
          value);
    errno = 0;
    CHECK("efault", bind(echo, (struct sockaddr *)8, 16) == -1 && errno == EFAULT, "bind from a bad pointer");
    errno = 0;
    CHECK("efault-optlen",
          getsockopt(echo, SOL_SOCKET, SO_TYPE, &value, (socklen_t *)8) == -1 && errno == EFAULT,
          "getsockopt with a bad length pointer");

    /* epoll over a Junction connection, a Junction listener and a pipe. */
    int pipe_fds[2];
    if (pipe(pipe_fds) != 0) return 101;
    int epoll = epoll_create1(0);
    struct epoll_event event = {.events = EPOLLIN};
    event.data.fd = echo;
    epoll_ctl(epoll, EPOLL_CTL_ADD, echo, &event);
    event.data.fd = pipe_fds[0];
    epoll_ctl(epoll, EPOLL_CTL_ADD, pipe_fds[0], &event);
    event.data.fd = listener;
    epoll_ctl(epoll, EPOLL_CTL_ADD, listener, &event);
    struct epoll_event ready[4];
    if (write(pipe_fds[1], "x", 1) != 1) return 102;
    int n = epoll_wait(epoll, ready, 4, 5000);
    CHECK("epoll-pipe", n == 1 && ready[0].data.fd == pipe_fds[0], "%d ready", n);
    char c;
    if (read(pipe_fds[0], &c, 1) != 1) return 103;
    const char *ping = "ping\n";
    if (write(echo, ping, strlen(ping)) != (ssize_t)strlen(ping)) return 104;
    n = epoll_wait(epoll, ready, 4, 5000);
    char line[128];
    CHECK("epoll-junction-connection", n == 1 && ready[0].data.fd == echo, "%d ready", n);
    read_line(echo, line, sizeof line);
    CHECK("echo", strcmp(line, "ping\n") == 0, "got '%s'", line);
    char dial[128];
    snprintf(dial, sizeof dial, "dial %s %d\n", junction, listen_port);
    if (write(echo, dial, strlen(dial)) != (ssize_t)strlen(dial)) return 105;
    n = epoll_wait(epoll, ready, 4, 5000);
    CHECK("epoll-junction-listener", n >= 1 && ready[0].data.fd == listener, "%d ready, first %d", n,
          n > 0 ? ready[0].data.fd : -1);
    struct sockaddr_in from;
    length = sizeof from;
    int accepted = accept4(listener, (struct sockaddr *)&from, &length, SOCK_CLOEXEC);
    CHECK("accept",
          accepted >= 0 && length == sizeof from && from.sin_addr.s_addr == echo_address.sin_addr.s_addr,
          "accepted %d", accepted);
    read_line(accepted, line, sizeof line);
    CHECK("accepted-data", strcmp(line, "hi\n") == 0, "got '%s'", line);
    CHECK("accepted-eof", read(accepted, line, sizeof line) == 0, "the peer closed: read returns 0");
    close(accepted);
    close(epoll);
    close(echo);

    /* Non-blocking connect: EINPROGRESS, unwritable while the handshake is pending, SO_ERROR when done. */
    int pending = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    struct sockaddr_in nobody = v4(silent, 9);
    errno = 0;
    CHECK("einprogress",
          connect(pending, (struct sockaddr *)&nobody, sizeof nobody) == -1 && errno == EINPROGRESS,
          "non-blocking connect");
    struct pollfd poll_fd = {.fd = pending, .events = POLLOUT};
    CHECK("unwritable-while-connecting", poll(&poll_fd, 1, 300) == 0, "revents %x", poll_fd.revents);
    errno = 0;
    CHECK("ealready", connect(pending, (struct sockaddr *)&nobody, sizeof nobody) == -1 && errno == EALREADY,
          "connect again while connecting");
    close(pending);

    int nonblocking = socket(AF_INET, SOCK_STREAM, 0);
    fcntl(nonblocking, F_SETFL, fcntl(nonblocking, F_GETFL) | O_NONBLOCK);
    errno = 0;
    CHECK("einprogress-fcntl",
          connect(nonblocking, (struct sockaddr *)&echo_address, sizeof echo_address) == -1 &&
              errno == EINPROGRESS,
          "non-blocking (fcntl) connect");
    poll_fd = (struct pollfd){.fd = nonblocking, .events = POLLOUT};
    length = sizeof value;
    value = -1;
    CHECK("connected-when-writable",
          poll(&poll_fd, 1, 5000) == 1 &&
              getsockopt(nonblocking, SOL_SOCKET, SO_ERROR, &value, &length) == 0 && value == 0,
          "SO_ERROR %d", value);
    close(nonblocking);

    int refused_later = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    connect(refused_later, (struct sockaddr *)&closed, sizeof closed);
    poll_fd = (struct pollfd){.fd = refused_later, .events = POLLOUT};
    length = sizeof value;
    value = 0;
    CHECK("so-error-econnrefused",
          poll(&poll_fd, 1, 5000) == 1 &&
              getsockopt(refused_later, SOL_SOCKET, SO_ERROR, &value, &length) == 0 && value == ECONNREFUSED,
          "SO_ERROR %d", value);
    close(refused_later);

    /* AF_INET6 carries IPv4-mapped addresses. */
    int six = socket(AF_INET6, SOCK_STREAM, 0);
    int zero = 0;
    CHECK("v6only-off", setsockopt(six, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero) == 0, "IPV6_V6ONLY=0");
    struct sockaddr_in6 six_echo = mapped(linux_address, echo_port);
    CHECK("connect-mapped", connect(six, (struct sockaddr *)&six_echo, sizeof six_echo) == 0,
          "connect ::ffff:%s", linux_address);
    struct sockaddr_in6 six_peer;
    length = sizeof six_peer;
    CHECK("getpeername-mapped",
          getpeername(six, (struct sockaddr *)&six_peer, &length) == 0 && length == sizeof six_peer &&
              six_peer.sin6_family == AF_INET6 && memcmp(&six_peer.sin6_addr, &six_echo.sin6_addr, 16) == 0,
          "peer");
    if (write(six, ping, strlen(ping)) != (ssize_t)strlen(ping)) return 106;
    read_line(six, line, sizeof line);
    CHECK("echo-mapped", strcmp(line, "ping\n") == 0, "got '%s'", line);
    close(six);
    /* A dual-stack listener (what Go opens for ":port"): [::]:port takes IPv4 connections, peers as
     * ::ffff:a.b.c.d. */
    int six_listener = socket(AF_INET6, SOCK_STREAM, 0);
    setsockopt(six_listener, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);
    struct sockaddr_in6 six_any = {.sin6_family = AF_INET6,
                                   .sin6_port = htons((unsigned short)(listen_port + 1))};
    CHECK("listen-v6-any",
          bind(six_listener, (struct sockaddr *)&six_any, sizeof six_any) == 0 &&
              listen(six_listener, 4) == 0,
          "bind [::]:%d and listen", listen_port + 1);
    struct sockaddr_in6 six_name;
    length = sizeof six_name;
    static const struct in6_addr unspecified = IN6ADDR_ANY_INIT;
    CHECK("getsockname-v6-any",
          getsockname(six_listener, (struct sockaddr *)&six_name, &length) == 0 &&
              six_name.sin6_family == AF_INET6 && memcmp(&six_name.sin6_addr, &unspecified, 16) == 0 &&
              ntohs(six_name.sin6_port) == listen_port + 1,
          "family %d port %d", six_name.sin6_family, ntohs(six_name.sin6_port));
    int dialer = socket(AF_INET, SOCK_STREAM, 0);
    connect(dialer, (struct sockaddr *)&echo_address, sizeof echo_address);
    snprintf(dial, sizeof dial, "dial %s %d\n", junction, listen_port + 1);
    if (write(dialer, dial, strlen(dial)) != (ssize_t)strlen(dial)) return 107;
    struct sockaddr_in6 six_from;
    length = sizeof six_from;
    struct sockaddr_in6 linux_mapped = mapped(linux_address, 0);
    int six_accepted = accept(six_listener, (struct sockaddr *)&six_from, &length);
    CHECK("accept-v6-mapped-peer",
          six_accepted >= 0 && length == sizeof six_from && six_from.sin6_family == AF_INET6 &&
              memcmp(&six_from.sin6_addr, &linux_mapped.sin6_addr, 16) == 0,
          "accepted %d", six_accepted);
    read_line(six_accepted, line, sizeof line);
    CHECK("accepted-v6-data", strcmp(line, "hi\n") == 0, "got '%s'", line);
    close(six_accepted);
    close(six_listener);
    close(dialer);
    int pure = socket(AF_INET6, SOCK_STREAM, 0);
    struct sockaddr_in6 documentation = {.sin6_family = AF_INET6, .sin6_port = htons(80)};
    inet_pton(AF_INET6, "2001:db8::1", &documentation.sin6_addr);
    errno = 0;
    CHECK("enetunreach-ipv6",
          connect(pure, (struct sockaddr *)&documentation, sizeof documentation) == -1 &&
              errno == ENETUNREACH,
          "connect to a real IPv6 address");
    close(pure);

    /* Loopback is the kernel's: a socket bound or connected to 127.0.0.1 becomes a kernel socket. */
    int local_listener = socket(AF_INET, SOCK_STREAM, 0);
    setsockopt(local_listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in loop = v4("127.0.0.1", 0);
    CHECK("bind-loopback",
          bind(local_listener, (struct sockaddr *)&loop, sizeof loop) == 0 && listen(local_listener, 1) == 0,
          "bind 127.0.0.1:0 and listen");
    length = sizeof loop;
    getsockname(local_listener, (struct sockaddr *)&loop, &length);
    length = sizeof value;
    CHECK("loopback-keeps-options",
          getsockopt(local_listener, SOL_SOCKET, SO_REUSEADDR, &value, &length) == 0 && value == 1,
          "SO_REUSEADDR %d", value);
    int local_client = socket(AF_INET, SOCK_STREAM, 0);
    CHECK("connect-loopback", connect(local_client, (struct sockaddr *)&loop, sizeof loop) == 0,
          "connect 127.0.0.1:%d", ntohs(loop.sin_port));
    int local_accepted = accept(local_listener, NULL, NULL);
    CHECK("loopback-data",
          local_accepted >= 0 && write(local_client, "lo\n", 3) == 3 &&
              read_line(local_accepted, line, sizeof line) == 3 && strcmp(line, "lo\n") == 0,
          "got '%s'", line);
    close(local_accepted);
    close(local_client);
    close(local_listener);

    /* What stays the kernel's. */
    int pair[2];
    CHECK("af-unix-kernel",
          socketpair(AF_UNIX, SOCK_STREAM, 0, pair) == 0 && write(pair[0], "u", 1) == 1 &&
              read(pair[1], &c, 1) == 1 && c == 'u',
          "socketpair");
    errno = 0;
    CHECK("io-uring-enosys", syscall(425, 8, NULL) == -1 && errno == ENOSYS, "io_uring_setup");

    close(listener);
    printf("done %d\n", failures);
    return failures;
}
