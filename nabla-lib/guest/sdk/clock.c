/* The clocks: nabla-run's vDSO when it attached the runnc.clock manifest
 * entry (no syscall), else the clock_gettime syscall, which the filter
 * allows for these two clocks. */
#include <linux/time.h>

#include "sdk.h"

typedef int (*vdso_gettime)(long clock, struct __kernel_timespec *ts);

static uint64_t read_clock(long clock)
{
    struct __kernel_timespec ts = { 0, 0 };
    if (nb_dev.vdso_clock_gettime)
        ((vdso_gettime)(uintptr_t)nb_dev.vdso_clock_gettime)(clock, &ts);
    else
        nb_syscall6(__NR_clock_gettime, clock, (long)&ts, 0, 0, 0, 0);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t nb_clock_monotonic(void)
{
    return read_clock(CLOCK_MONOTONIC);
}

uint64_t nb_clock_wall(void)
{
    return read_clock(CLOCK_REALTIME);
}
