/*
 * Waiting: ppoll on the tap (or on nothing) with a timeout. The filter
 * allows ppoll with at most poll_max_fds fds and a NULL sigmask; ppoll,
 * unlike poll or nanosleep, resumes after SIGSTOP/SIGCONT without
 * restart_syscall, which the filter would kill.
 */
#include <linux/poll.h>
#include <linux/time.h>

#include "sdk.h"

bool nb_yield(uint64_t deadline_ns)
{
    struct pollfd pfd = { .fd = nb_bi->net_fd, .events = POLLIN };
    struct __kernel_timespec ts, *tsp = NULL;
    uint64_t now = nb_clock_monotonic();
    long nfds = nb_bi->net_fd >= 0 ? 1 : 0;

    if (deadline_ns != UINT64_MAX) {
        uint64_t left = deadline_ns > now ? deadline_ns - now : 0;
        if (left == 0 && nfds == 0)
            return false;
        ts.tv_sec = (long long)(left / 1000000000ull);
        ts.tv_nsec = (long long)(left % 1000000000ull);
        tsp = &ts;
    }
    long r = nb_syscall6(__NR_ppoll, nfds ? (long)&pfd : 0, nfds, (long)tsp, 0, 0, 0);
    return r > 0 && (pfd.revents & POLLIN);
}
