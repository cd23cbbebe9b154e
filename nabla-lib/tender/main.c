/*
 * nabla-run: loads a Nabla unikernel into this process and runs it under a
 * seccomp allowlist. main() is the order of the steps; each step lives in
 * the file named in tender.h. Any refusal prints one line and exits 1
 * before a single guest instruction runs.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "filter.h"
#include "tender.h"

void warn(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs(TENDER_NAME ": warning: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

_Noreturn void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs(TENDER_NAME ": ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

int main(int argc, char **argv)
{
    static struct args a;
    static struct nabla_boot_info bi;
    static struct filter f;
    char err[256];
    uint64_t entry;

    core_check_process();
    if (args_parse(argc, argv, &a, err, sizeof(err)) < 0)
        die("%s", err);
    if (a.help) {
        args_usage();
        return 0;
    }

    bi.mem_end = a.mem_mib << 20;
    core_setup(&bi, &f);
    net_setup(&a, &bi, &f);
    block_setup(&a, &bi, &f);
    if (a.print_filter) {
        filter_print(&f, stdout);
        return fflush(stdout) == 0 ? 0 : 1;
    }

    core_reserve_memory(bi.mem_end);
    core_load_guest(&a, &bi, &entry);
    core_write_config(a.config, &bi);
    core_launch(&a, &bi, &f, entry);
}
