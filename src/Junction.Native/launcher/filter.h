/* The seccomp filter junction-launch installs: which calls go to the host, which stay with the kernel. */
#ifndef JUNCTION_FILTER_H
#define JUNCTION_FILTER_H

/* Installs the filter on the calling thread (after PR_SET_NO_NEW_PRIVS) and returns the notification
 * descriptor, or -1 with errno set. */
int junction_install_filter(void);

#endif
