/* junction-launch PROGRAM [ARGS...]: runs PROGRAM with its IPv4/IPv6 socket calls answered by a Junction
 * host.
 *
 * The host starts this launcher with JUNCTION_CONTROL_FD naming an inherited AF_UNIX stream socket. The
 * launcher sets no_new_privs, installs the seccomp filter (filter.c) with a user-notification listener, and
 * tells the host the listener's descriptor number with write(2) (sendmsg is already caught by then, so no
 * SCM_RIGHTS: the host takes the descriptor with pidfd_getfd). It then waits for the host's "go" byte, closes
 * both descriptors and execs PROGRAM, which keeps the filter; so do its children. */
#include "filter.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#define CONTROL_ENV "JUNCTION_CONTROL_FD"
#define HELLO_MAGIC 0x314c4e4aU /* "JNL1" */
#define GO_BYTE 'G'

struct hello {
    uint32_t magic;
    int32_t notify_fd;
};

static int fail(const char *what)
{
    fprintf(stderr, "junction-launch: %s: %s\n", what, strerror(errno));
    return 126;
}

static int write_all(int fd, const void *data, size_t length)
{
    const char *p = data;
    while (length > 0) {
        ssize_t n = write(fd, p, length);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return -1;
        p += n;
        length -= (size_t)n;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s PROGRAM [ARGS...] (started by a Junction host, which sets %s)\n", argv[0],
                CONTROL_ENV);
        return 2;
    }
    const char *control_text = getenv(CONTROL_ENV);
    if (control_text == NULL) {
        fprintf(
            stderr,
            "junction-launch: %s is not set: start programs with JunctionProcess.Start or 'junction run'\n",
            CONTROL_ENV);
        return 2;
    }
    char *end;
    long control = strtol(control_text, &end, 10);
    if (*end != '\0' || control < 0 || control > 65535) {
        fprintf(stderr, "junction-launch: %s=%s is not a descriptor number\n", CONTROL_ENV, control_text);
        return 2;
    }
    unsetenv(CONTROL_ENV);

    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return fail("prctl(PR_SET_NO_NEW_PRIVS)");
    int notify_fd = junction_install_filter();
    if (notify_fd < 0) return fail("seccomp(SECCOMP_FILTER_FLAG_NEW_LISTENER)");

    struct hello hello = {HELLO_MAGIC, notify_fd};
    if (write_all((int)control, &hello, sizeof hello) != 0) return fail("telling the host the listener");
    char go = 0;
    ssize_t n;
    do {
        n = read((int)control, &go, 1);
    } while (n < 0 && errno == EINTR);
    if (n != 1 || go != GO_BYTE) {
        fprintf(stderr, "junction-launch: the host did not answer; not starting %s\n", argv[1]);
        return 126;
    }
    close(notify_fd);
    close((int)control);

    execvp(argv[1], argv + 1);
    int error = errno;
    fprintf(stderr, "junction-launch: cannot run %s: %s\n", argv[1], strerror(error));
    return error == ENOENT ? 127 : 126;
}
