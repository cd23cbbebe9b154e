/*
 * Waiting, as Solo5's spt bindings wait: arm the tender's timerfd for the
 * deadline (absolute CLOCK_MONOTONIC, the clock nb_clock_monotonic reads),
 * then epoll_pwait on the tender's epoll set, which holds that timerfd and
 * every attached network device. Both are the only forms the filter
 * allows: our own fds, no sigmask, no old timer value.
 */
#include <linux/eventpoll.h>
#include <linux/time_types.h>
#include <linux/timerfd.h>

#include "sdk.h"

/* The timer plus a few devices per call; more stay ready for the next. */
#define MAX_EVENTS 8

bool nb_yield(uint64_t deadline_ns)
{
    struct epoll_event ev[MAX_EVENTS];
    bool net_ready = false;
    long n;

    if (!nb_dev.net && deadline_ns <= nb_clock_monotonic())
        return false;
    /* A zero it_value would disarm the timer and sleep for ever: a past
     * deadline must fire at once instead. Re-arming also clears an earlier
     * expiry, which would otherwise keep the timerfd readable. */
    struct __kernel_itimerspec it = {
        .it_value = { .tv_sec = (long long)(deadline_ns / 1000000000ull),
                      .tv_nsec = (long long)(deadline_ns % 1000000000ull) | 1 },
    };
    nb_syscall6(__NR_timerfd_settime, nb_bi->timerfd, TFD_TIMER_ABSTIME, (long)&it, 0, 0, 0);
    /* epoll_pwait does not resume after SIGSTOP/SIGCONT (it fails with
     * EINTR); the armed timer makes asking again safe. */
    do
        n = nb_syscall6(__NR_epoll_pwait, nb_bi->epollfd, (long)ev, MAX_EVENTS, -1, 0, 0);
    while (n == -EINTR);
    for (long i = 0; i < n; i++)
        net_ready |= nb_dev.net && ev[i].data == nb_dev.net_index;
    return net_ready;
}
