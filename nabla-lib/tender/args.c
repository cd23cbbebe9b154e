/*
 * The command line, as upstream nabla-run takes it plus --disk-readonly and
 * --print-filter:
 *   nabla-run [--mem=MiB] [--net=TAP] [--net-mac=MAC] [--disk=FILE]
 *             [--disk-readonly] [--x-exec-heap] [--print-filter] [--]
 *             UNIKERNEL [CONFIG]
 * args_parse only reads its arguments (no I/O, no globals), so fuzz_args.c
 * can call it with anything.
 */
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "fail.h"
#include "tender.h"


/* Decimal digits only (strtoul would take signs, spaces and hex). */
static int parse_mib(const char *s, uint64_t *out)
{
    uint64_t v = 0;
    if (*s == '\0')
        return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return -1;
        v = v * 10 + (uint64_t)(*s - '0');
        if (v > MEM_MAX_MIB)
            return -1;
    }
    *out = v;
    return 0;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Exactly xx:xx:xx:xx:xx:xx, a unicast address other than all zeros. */
static int parse_mac(const char *s, uint8_t mac[6])
{
    uint8_t any = 0;
    if (strlen(s) != 17)
        return -1;
    for (int i = 0; i < 6; i++) {
        int hi = hexval(s[3 * i]), lo = hexval(s[3 * i + 1]);
        if (hi < 0 || lo < 0 || (i < 5 && s[3 * i + 2] != ':'))
            return -1;
        mac[i] = (uint8_t)(hi << 4 | lo);
        any |= mac[i];
    }
    return (mac[0] & 1) || !any ? -1 : 0;
}

/* TUNSETIFF would expand a '%' into a new device name; '/' and empty names
 * are not interface names at all. */
static int valid_ifname(const char *s)
{
    size_t n = strlen(s);
    return n > 0 && n < IFNAMSIZ && !strpbrk(s, "%/ \t\n:");
}

/* Returns the value of "--name=value" if arg is that option, else NULL. */
static const char *opt_value(const char *arg, const char *name)
{
    size_t n = strlen(name);
    if (strncmp(arg, name, n) == 0 && arg[n] == '=')
        return arg + n + 1;
    return NULL;
}

int args_parse(int argc, char *const argv[], struct args *a, char *err, size_t errlen)
{
    const char *v;
    int i;

    memset(a, 0, sizeof(*a));
    a->mem_mib = MEM_DEFAULT_MIB;
    for (i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--") == 0) {
            i++;
            break;
        }
        if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            a->help = true;
            return 0;
        }
        if (strncmp(arg, "--", 2) != 0)
            break;
        if ((v = opt_value(arg, "--mem"))) {
            if (parse_mib(v, &a->mem_mib) < 0 || a->mem_mib < MEM_MIN_MIB)
                return fail(err, errlen, "--mem=%.32s: want a whole number of MiB from %u to %u",
                            v, MEM_MIN_MIB, MEM_MAX_MIB);
        } else if ((v = opt_value(arg, "--net"))) {
            if (!valid_ifname(v))
                return fail(err, errlen, "--net=%.32s: not a valid interface name", v);
            a->net = v;
        } else if ((v = opt_value(arg, "--net-mac"))) {
            if (parse_mac(v, a->net_mac) < 0)
                return fail(err, errlen, "--net-mac=%.32s: want a unicast MAC like "
                                         "02:00:00:00:00:01", v);
            a->net_mac_set = true;
        } else if ((v = opt_value(arg, "--disk"))) {
            if (*v == '\0')
                return fail(err, errlen, "--disk= needs a file name");
            a->disk = v;
        } else if (strcmp(arg, "--disk-readonly") == 0) {
            a->disk_readonly = true;
        } else if (strcmp(arg, "--x-exec-heap") == 0) {
            a->x_exec_heap = true;
        } else if (strcmp(arg, "--print-filter") == 0) {
            a->print_filter = true;
        } else {
            return fail(err, errlen, "unknown option %.64s (see --help)", arg);
        }
    }
    if (a->net_mac_set && !a->net)
        return fail(err, errlen, "--net-mac needs --net");
    if (a->disk_readonly && !a->disk)
        return fail(err, errlen, "--disk-readonly needs --disk");

    if (i < argc)
        a->unikernel = argv[i++];
    if (i < argc)
        a->config = argv[i++];
    if (i < argc)
        return fail(err, errlen, "unexpected argument %.64s after CONFIG", argv[i]);
    if (!a->unikernel && !a->print_filter)
        return fail(err, errlen, "missing UNIKERNEL (see --help)");
    if (a->unikernel && *a->unikernel == '\0')
        return fail(err, errlen, "UNIKERNEL is an empty path");
    if (!a->config)
        a->config = "{}";
    if (strlen(a->config) >= NABLA_CONFIG_MAX)
        return fail(err, errlen, "CONFIG is too long (%zu bytes, at most %llu)",
                    strlen(a->config), NABLA_CONFIG_MAX - 1);
    return 0;
}

void args_usage(void)
{
    fputs("usage: " TENDER_NAME " [OPTIONS] UNIKERNEL [CONFIG]\n"
          "Runs UNIKERNEL (a static x86-64 ELF built with the Nabla guest SDK) inside this\n"
          "process, confined by a seccomp allowlist; CONFIG (default {}) is the JSON\n"
          "document the guest reads at boot. The exit status is the guest's.\n"
          "  --mem=MiB        guest memory (default 512, 4 to 65536)\n"
          "  --net=TAP        give the guest an existing tap device\n"
          "  --net-mac=MAC    the guest's MAC (default: random, locally administered)\n"
          "  --disk=FILE      give the guest a block device (read-write if possible)\n"
          "  --disk-readonly  open the disk read-only; pwrite64 is then not allowed\n"
          "  --x-exec-heap    allow W+X segments and an executable heap (for JITs; unsafe)\n"
          "  --print-filter   print the syscall allowlist for these options and exit\n",
          stdout);
}
