/*
 * nabla-run: loads a Solo5 spt unikernel into this process and runs it
 * under a seccomp allowlist. main() is the order of the steps; each step
 * lives in the file named in tender.h. Any refusal prints one line and
 * exits 1 before a single guest instruction runs.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "filter.h"
#include "solo5.h"
#include "tender.h"

#ifndef NABLA_RUN_VERSION
#define NABLA_RUN_VERSION "dev"
#endif

/* warn and die print the same one-line shape, told apart by the prefix. */
__attribute__((format(printf, 2, 0))) static void
report(const char *prefix, const char *fmt, va_list ap)
{
    fputs(prefix, stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

void warn(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report(TENDER_NAME ": warning: ", fmt, ap);
    va_end(ap);
}

_Noreturn void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report(TENDER_NAME ": ", fmt, ap);
    va_end(ap);
    exit(1);
}

/* The guest's notes decide how it boots: Solo5 spt ABI 1 or 2, or, only
 * when asked, the Nabla era's note-less v0.4 boot. */
static void check_notes(const struct args *a, const struct guest_notes *n)
{
    if (a->legacy) {
        if (n->solo5)
            die("%s is a Solo5 ABI %u unikernel, not a Nabla-era one: run it without "
                "--nabla-legacy", a->kernel, n->abi_version);
        return;
    }
    if (!n->solo5)
        die("%s has no Solo5 ABI note, so it is not a Solo5 spt unikernel: if it is a "
            "Nabla-era (Solo5 v0.4) one, run it with --nabla-legacy (in runnc, the "
            "annotation org.nabla.runnc.legacy=true)", a->kernel);
    if (n->abi_target != SOLO5_ABI_TARGET_SPT)
        die("%s is built for Solo5 target %u, not spt (%u): rebuild it for spt", a->kernel,
            n->abi_target, SOLO5_ABI_TARGET_SPT);
    if (n->abi_version < SOLO5_SPT_ABI_MIN || n->abi_version > SOLO5_SPT_ABI_MAX)
        die("%s asks for Solo5 spt ABI %u; this tender runs ABI %u to %u (Solo5 0.6 to 0.12)",
            a->kernel, n->abi_version, SOLO5_SPT_ABI_MIN, SOLO5_SPT_ABI_MAX);
}

/* What the tender needs only until the jump (the command line, the
 * guest's notes, the filter's rules), in whole pages of their own: the
 * launch hands them back to the kernel before the filter goes on, so that
 * a resident guest keeps neither their memory (some 36 KiB a container)
 * nor anything in them to read. */
struct setup {
    struct args a;
    struct guest_notes notes;
    struct filter f;
} __attribute__((aligned(4096)));

int main(int argc, char **argv)
{
    static struct setup setup;
    struct args *const a = &setup.a;
    struct guest_notes *const notes = &setup.notes;
    struct filter *const f = &setup.f;
    char err[256];
    struct guest_file kernel;
    uint64_t entry = 0, kernel_end = 0;

    core_check_process();
    if (args_parse(argc, argv, a, err, sizeof(err)) < 0)
        die("%s", err);
    if (a->help || a->version) {
        if (a->help)
            args_usage();
        else
            printf(TENDER_NAME " %s (runnc): Solo5 spt ABI %u to %u, and the Nabla era's "
                   "v0.4 with --nabla-legacy\n", NABLA_RUN_VERSION, SOLO5_SPT_ABI_MIN,
                   SOLO5_SPT_ABI_MAX);
        return fflush(stdout) == 0 ? 0 : 1;
    }

    if (a->kernel) {
        core_open_kernel(a->kernel, a->mem_mib << 20, &kernel);
        if (notes_parse(kernel.bytes, kernel.size, notes, err, sizeof(err)) < 0)
            die("%s: %s", a->kernel, err);
        check_notes(a, notes);
        if (!a->legacy)
            core_match_manifest(a, notes);
        /* Loaded before the wait set and the devices take their fixed fds,
         * one of which the file's own fd may hold until then. */
        if (!a->print_filter) {
            core_reserve_memory(a->mem_mib << 20);
            entry = core_load_guest(a, &kernel, !a->legacy, &kernel_end);
        }
    }
    if (!a->legacy && !a->print_filter)
        core_wait_set();
    core_rules(f, a);
    for (unsigned d = 0; d < a->ndev; d++) {
        struct dev *v = &a->dev[d];
        if (a->legacy)
            v->fd = v->kind == DEV_NET ? LEGACY_NET_FD : LEGACY_DISK_FD;
        else
            v->fd = FIRST_DEV_FD + (int)d;
        if (v->kind == DEV_NET) {
            net_attach(v, a->print_filter);
            net_rules(v, f);
        } else {
            block_attach(v, a->print_filter);
            block_rules(v, f);
        }
    }
    if (a->print_filter) {
        filter_print(f, stdout);
        return fflush(stdout) == 0 ? 0 : 1;
    }

    if (!a->legacy)
        core_watch_nets(a);
    if (a->legacy)
        core_legacy_boot_info(a, kernel_end);
    else
        core_boot_info(a, notes, kernel_end);
    core_launch(a, f, entry, kernel_end, &setup, sizeof(setup));
}
