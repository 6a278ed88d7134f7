/* The classic-BPF program behind Junction's control path.
 *
 * Caught (SECCOMP_RET_USER_NOTIF, answered by the .NET host): socket for AF_INET and AF_INET6 only, bind,
 * listen, accept, accept4, connect, getsockname, getpeername, getsockopt, setsockopt, shutdown, sendmsg,
 * recvmsg, and sendto/recvfrom when they carry an address (args[4] != NULL: send() and recv() on connected
 * sockets stay in the kernel, which is where every byte moves). io_uring_setup fails with ENOSYS so programs
 * fall back to epoll. Everything else, and every call of another architecture, is the kernel's. */
#include "filter.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef __NR_io_uring_setup
#define __NR_io_uring_setup 425
#endif

#if defined(__x86_64__)
#define JUNCTION_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define JUNCTION_AUDIT_ARCH AUDIT_ARCH_AARCH64
#else
#error "junction-launch supports x86-64 and arm64"
#endif

enum label { NEXT, ALLOW, NOTIFY, ENOSYS_RET, SOCKET_CHECK, ADDRESS_CHECK, LABEL_COUNT };

#define MAX_INSNS 64

struct program {
    struct sock_filter insns[MAX_INSNS];
    /* For conditional jumps: where jt/jf go (a label, or NEXT for the next instruction). */
    enum label jt[MAX_INSNS];
    enum label jf[MAX_INSNS];
    int at[LABEL_COUNT];
    int count;
};

static void emit(struct program *p, unsigned short code, unsigned int k, enum label jt, enum label jf)
{
    p->insns[p->count] = (struct sock_filter){code, 0, 0, k};
    p->jt[p->count] = jt;
    p->jf[p->count] = jf;
    p->count++;
}

static void place(struct program *p, enum label l)
{
    p->at[l] = p->count;
}

static void load(struct program *p, unsigned int offset)
{
    emit(p, BPF_LD | BPF_W | BPF_ABS, offset, NEXT, NEXT);
}

static void jump_if(struct program *p, unsigned int value, enum label yes, enum label no)
{
    emit(p, BPF_JMP | BPF_JEQ | BPF_K, value, yes, no);
}

static void ret(struct program *p, unsigned int value)
{
    emit(p, BPF_RET | BPF_K, value, NEXT, NEXT);
}

/* Resolves the labels into relative jump offsets; fails if one is out of a jump's 8-bit reach. */
static int resolve(struct program *p)
{
    for (int i = 0; i < p->count; i++) {
        if (BPF_CLASS(p->insns[i].code) != BPF_JMP) continue;
        int jt = p->jt[i] == NEXT ? 0 : p->at[p->jt[i]] - i - 1;
        int jf = p->jf[i] == NEXT ? 0 : p->at[p->jf[i]] - i - 1;
        if (jt < 0 || jt > 255 || jf < 0 || jf > 255) return -1;
        p->insns[i].jt = (unsigned char)jt;
        p->insns[i].jf = (unsigned char)jf;
    }
    return 0;
}

#define ARG_LOW(n) (offsetof(struct seccomp_data, args) + 8 * (n))
#define ARG_HIGH(n) (ARG_LOW(n) + 4)

static const unsigned int notified[] = {
    __NR_bind,        __NR_listen,     __NR_accept,     __NR_accept4,  __NR_connect, __NR_getsockname,
    __NR_getpeername, __NR_getsockopt, __NR_setsockopt, __NR_shutdown, __NR_sendmsg, __NR_recvmsg,
};

int junction_install_filter(void)
{
    static struct program p;
    p.count = 0;
    load(&p, offsetof(struct seccomp_data, arch));
    jump_if(&p, JUNCTION_AUDIT_ARCH, NEXT, ALLOW);
    load(&p, offsetof(struct seccomp_data, nr));
    jump_if(&p, __NR_socket, SOCKET_CHECK, NEXT);
    jump_if(&p, __NR_io_uring_setup, ENOSYS_RET, NEXT);
    jump_if(&p, __NR_sendto, ADDRESS_CHECK, NEXT);
    jump_if(&p, __NR_recvfrom, ADDRESS_CHECK, NEXT);
    for (unsigned int i = 0; i < sizeof notified / sizeof notified[0]; i++)
        jump_if(&p, notified[i], NOTIFY, NEXT);
    ret(&p, SECCOMP_RET_ALLOW);
    place(&p, SOCKET_CHECK);
    load(&p, ARG_LOW(0));
    jump_if(&p, AF_INET, NOTIFY, NEXT);
    jump_if(&p, AF_INET6, NOTIFY, ALLOW);
    place(&p, ADDRESS_CHECK);
    load(&p, ARG_LOW(4));
    jump_if(&p, 0, NEXT, NOTIFY);
    load(&p, ARG_HIGH(4));
    jump_if(&p, 0, ALLOW, NOTIFY);
    /* Classic BPF jumps forward only: every shared return comes after the code that jumps to it. */
    place(&p, ALLOW);
    ret(&p, SECCOMP_RET_ALLOW);
    place(&p, ENOSYS_RET);
    ret(&p, SECCOMP_RET_ERRNO | ENOSYS);
    place(&p, NOTIFY);
    ret(&p, SECCOMP_RET_USER_NOTIF);
    if (resolve(&p) != 0) {
        errno = E2BIG;
        return -1;
    }
    struct sock_fprog program = {.len = (unsigned short)p.count, .filter = p.insns};
    return (int)syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &program);
}
