/*
 * The command line: solo5-spt's, plus nabla-run's own options.
 *   nabla-run [--mem=MiB] [--net:NAME=TAP] [--net-mac:NAME=MAC]
 *             [--block:NAME=FILE] [--block-sector-size:NAME=N]
 *             [--block-readonly:NAME] [--disk-readonly] [--x-exec-heap]
 *             [--user=UID:GID[:G1,G2...]] [--print-filter] [--] KERNEL [ARGS...]
 *   nabla-run --nabla-legacy [--mem=MiB] [--net=TAP] [--net-mac=MAC]
 *             [--disk=FILE] [--disk-readonly] [--] KERNEL [CONFIG...]
 * args_parse only reads its arguments (no I/O, no globals), so fuzz_args.c
 * can call it with anything.
 */
#include <net/if.h>
#include <stdio.h>
#include <string.h>

#include "fail.h"
#include "tender.h"

/* Decimal digits only (strtoul would take signs, spaces and hex). */
static int parse_dec(const char *s, uint64_t max, uint64_t *out)
{
    uint64_t v = 0;
    if (*s == '\0')
        return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return -1;
        v = v * 10 + (uint64_t)(*s - '0');
        if (v > max)
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

/* A tap name, or "@FD" for a tap the caller opened (as solo5-spt takes).
 * TUNSETIFF would expand a '%' into a new device name; '/' and empty names
 * are not interface names at all. */
static int valid_tap(const char *s)
{
    size_t n = strlen(s);
    uint64_t fd;
    if (s[0] == '@')
        return parse_dec(s + 1, 1u << 20, &fd) == 0;
    return n > 0 && n < IFNAMSIZ && !strpbrk(s, "%/ \t\n:");
}

/* Manifest device names as solo5-spt's command line takes them. */
static int valid_name(const char *s, size_t n)
{
    if (n == 0 || n > MFT_NAME_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
            return 0;
    }
    return 1;
}

/* "--name=value": the value, else NULL. */
static const char *opt_value(const char *arg, const char *name)
{
    size_t n = strlen(name);
    if (strncmp(arg, name, n) == 0 && arg[n] == '=')
        return arg + n + 1;
    return NULL;
}

/* "--prefix:NAME=value" (want_value) or "--prefix:NAME": NAME is copied to
 * name and the value returned ("" without one); NULL if arg is not this
 * option. A bad NAME sets *bad. */
static const char *opt_named(const char *arg, const char *prefix, bool want_value,
                             char name[MFT_NAME_SIZE], bool *bad)
{
    size_t n = strlen(prefix);
    if (strncmp(arg, prefix, n) != 0 || arg[n] != ':')
        return NULL;
    const char *s = arg + n + 1;
    const char *eq = want_value ? strchr(s, '=') : s + strlen(s);
    if (!eq || !valid_name(s, (size_t)(eq - s))) {
        *bad = true;
        return "";
    }
    memcpy(name, s, (size_t)(eq - s));
    name[eq - s] = '\0';
    return want_value ? eq + 1 : eq;
}

/* "UID:GID[:G1,G2...]", each a decimal id below 2^32-1 ((uid_t)-1 means
 * "unchanged" to setresuid, never a user). */
static int parse_user(const char *s, struct args *a)
{
    const uint64_t max_id = UINT32_MAX - 1;
    char buf[16];
    uint64_t id;
    unsigned field = 0;

    a->ngroups = 0;
    while (*s) {
        size_t n = strcspn(s, field < 2 ? ":" : ",");
        if (n == 0 || n >= sizeof(buf))
            return -1;
        memcpy(buf, s, n);
        buf[n] = '\0';
        if (parse_dec(buf, max_id, &id) < 0)
            return -1;
        if (field == 0)
            a->uid = (uint32_t)id;
        else if (field == 1)
            a->gid = (uint32_t)id;
        else if (a->ngroups == USER_MAX_GROUPS)
            return -1;
        else
            a->groups[a->ngroups++] = (uint32_t)id;
        s += n;
        /* A separator must be followed by another id. */
        if (*s && *++s == '\0')
            return -1;
        field++;
    }
    return field >= 2 ? 0 : -1;
}

/* The device (kind, name), added if new. */
static struct dev *dev_get(struct args *a, enum dev_kind kind, const char *name)
{
    for (unsigned i = 0; i < a->ndev; i++) {
        if (a->dev[i].kind == kind && strcmp(a->dev[i].name, name) == 0)
            return &a->dev[i];
    }
    if (a->ndev == MFT_MAX_ENTRIES - 1) /* entry 0 of a manifest is reserved */
        return NULL;
    struct dev *d = &a->dev[a->ndev++];
    memset(d, 0, sizeof(*d));
    d->kind = kind;
    d->index = -1;
    d->fd = -1;
    strcpy(d->name, name); /* callers pass at most MFT_NAME_MAX characters */
    return d;
}

static const char *kind_opt(enum dev_kind kind) { return kind == DEV_NET ? "--net" : "--block"; }

static int set_target(struct args *a, enum dev_kind kind, const char *name, const char *target,
                      char *err, size_t errlen)
{
    struct dev *d = dev_get(a, kind, name);
    if (!d)
        return fail(err, errlen, "too many devices (at most %u)", MFT_MAX_ENTRIES - 1);
    if (d->target)
        return fail(err, errlen, "%s%s%s given twice", kind_opt(kind), *name ? ":" : "", name);
    d->target = target;
    return 0;
}

/* One option; returns 1 if arg was one, 0 if not, -1 on error. *legacy_form
 * and *solo5_form record which command-line family it belongs to. */
static int parse_option(struct args *a, const char *arg, bool *legacy_form, bool *solo5_form,
                        char *err, size_t errlen)
{
    char name[MFT_NAME_SIZE];
    bool bad = false;
    const char *v;
    uint64_t n;
    struct dev *d;

    if ((v = opt_value(arg, "--mem"))) {
        if (parse_dec(v, MEM_MAX_MIB, &a->mem_mib) < 0 || a->mem_mib < MEM_MIN_MIB)
            return fail(err, errlen, "--mem=%.32s: want a whole number of MiB from %u to %u",
                        v, MEM_MIN_MIB, MEM_MAX_MIB);
    } else if ((v = opt_named(arg, "--net", true, name, &bad))) {
        *solo5_form = true;
        if (bad)
            return fail(err, errlen, "%.80s: want --net:NAME=TAP, NAME of letters and digits", arg);
        if (!valid_tap(v))
            return fail(err, errlen, "%.80s: %.32s is not a valid interface name", arg, v);
        return set_target(a, DEV_NET, name, v, err, errlen) < 0 ? -1 : 1;
    } else if ((v = opt_named(arg, "--net-mac", true, name, &bad))) {
        *solo5_form = true;
        if (bad || !(d = dev_get(a, DEV_NET, name)) || parse_mac(v, d->mac) < 0)
            return fail(err, errlen, "%.80s: want --net-mac:NAME=MAC with a unicast MAC like "
                                     "02:00:00:00:00:01", arg);
        d->mac_set = true;
    } else if ((v = opt_named(arg, "--block", true, name, &bad))) {
        *solo5_form = true;
        if (bad || *v == '\0')
            return fail(err, errlen, "%.80s: want --block:NAME=FILE, NAME of letters and digits", arg);
        return set_target(a, DEV_BLOCK, name, v, err, errlen) < 0 ? -1 : 1;
    } else if ((v = opt_named(arg, "--block-sector-size", true, name, &bad))) {
        *solo5_form = true;
        if (bad || parse_dec(v, MAX_SECTOR, &n) < 0 || n < DEFAULT_SECTOR || (n & (n - 1)) ||
            !(d = dev_get(a, DEV_BLOCK, name)))
            return fail(err, errlen, "%.80s: Block size must be a multiple of 2 greater than or "
                                     "equal %u (a power of two up to %u)", arg, DEFAULT_SECTOR,
                        MAX_SECTOR);
        d->sector = (uint32_t)n;
    } else if ((v = opt_named(arg, "--block-readonly", false, name, &bad))) {
        *solo5_form = true;
        if (bad || !(d = dev_get(a, DEV_BLOCK, name)))
            return fail(err, errlen, "%.80s: want --block-readonly:NAME", arg);
        d->readonly = true;
    } else if ((v = opt_value(arg, "--net"))) {
        *legacy_form = true;
        if (!valid_tap(v))
            return fail(err, errlen, "--net=%.32s: not a valid interface name", v);
        return set_target(a, DEV_NET, "", v, err, errlen) < 0 ? -1 : 1;
    } else if ((v = opt_value(arg, "--net-mac"))) {
        *legacy_form = true;
        if (!(d = dev_get(a, DEV_NET, "")) || parse_mac(v, d->mac) < 0)
            return fail(err, errlen, "--net-mac=%.32s: want a unicast MAC like 02:00:00:00:00:01", v);
        d->mac_set = true;
    } else if ((v = opt_value(arg, "--disk"))) {
        *legacy_form = true;
        if (*v == '\0')
            return fail(err, errlen, "--disk= needs a file name");
        return set_target(a, DEV_BLOCK, "", v, err, errlen) < 0 ? -1 : 1;
    } else if ((v = opt_value(arg, "--user"))) {
        if (a->user_set || parse_user(v, a) < 0)
            return fail(err, errlen, "--user=%.64s: want --user=UID:GID[:G1,G2...] once, decimal "
                                     "ids, at most %u groups", v, USER_MAX_GROUPS);
        a->user_set = true;
    } else if (strcmp(arg, "--disk-readonly") == 0) {
        a->all_readonly = true;
    } else if (strcmp(arg, "--x-exec-heap") == 0) {
        a->x_exec_heap = true;
    } else if (strcmp(arg, "--print-filter") == 0) {
        a->print_filter = true;
    } else if (strcmp(arg, "--nabla-legacy") == 0) {
        a->legacy = true;
    } else {
        return 0;
    }
    return 1;
}

int args_parse(int argc, char *const argv[], struct args *a, char *err, size_t errlen)
{
    bool legacy_form = false, solo5_form = false;
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
        if (strcmp(arg, "--version") == 0) {
            a->version = true;
            return 0;
        }
        if (strncmp(arg, "--", 2) != 0)
            break;
        int r = parse_option(a, arg, &legacy_form, &solo5_form, err, errlen);
        if (r < 0)
            return -1;
        if (r == 0)
            return fail(err, errlen, "unknown option %.64s (see --help)", arg);
    }

    if (legacy_form && !a->legacy)
        return fail(err, errlen, "--net=, --net-mac= and --disk= are the Nabla-era forms: add "
                                 "--nabla-legacy for a Solo5 v0.4 unikernel, or use --net:NAME=TAP "
                                 "and --block:NAME=FILE with NAME from the unikernel's manifest");
    if (solo5_form && a->legacy)
        return fail(err, errlen, "--nabla-legacy takes --net=TAP, --net-mac=MAC and --disk=FILE, "
                                 "not --net:NAME and --block:NAME");
    for (unsigned d = 0; d < a->ndev; d++) {
        struct dev *v = &a->dev[d];
        if (v->kind == DEV_BLOCK && a->all_readonly)
            v->readonly = true;
        if (!v->target)
            return fail(err, errlen, "%s%s%s is not attached: %s%s%s=%s is missing",
                        v->kind == DEV_NET ? "network" : "block device", *v->name ? " " : "",
                        v->name, kind_opt(v->kind), *v->name ? ":" : "", v->name,
                        v->kind == DEV_NET ? "TAP" : "FILE");
    }

    if (i < argc)
        a->kernel = argv[i++];
    a->guest_args = argv + i;
    a->nargs = argc - i;
    if (!a->kernel && !a->print_filter)
        return fail(err, errlen, "missing KERNEL, the unikernel to run (see --help)");
    if (a->kernel && *a->kernel == '\0')
        return fail(err, errlen, "KERNEL is an empty path");
    long len = args_cmdline(a, NULL, 0);
    if (len < 0)
        return fail(err, errlen, "the guest's command line is too long (at most %u bytes)",
                    (unsigned)CMDLINE_MAX - 1);
    return 0;
}

long args_cmdline(const struct args *a, char *buf, size_t size)
{
    size_t len = 0;
    for (int i = 0; i < a->nargs; i++) {
        size_t n = strlen(a->guest_args[i]);
        if (n > CMDLINE_MAX || len + n + 1 > CMDLINE_MAX)
            return -1;
        if (buf) {
            if (len + n + 1 > size)
                return -1;
            if (i > 0)
                buf[len - 1] = ' ';
            memcpy(buf + len, a->guest_args[i], n);
            buf[len + n] = '\0';
        }
        len += n + 1;
    }
    if (buf && size > 0 && a->nargs == 0)
        buf[0] = '\0';
    return len ? (long)len - 1 : 0;
}

void args_usage(void)
{
    fputs("usage: " TENDER_NAME " [OPTIONS] [--] KERNEL [ARGS...]\n"
          "Runs KERNEL, a Solo5 spt unikernel (Solo5 0.6 to 0.12: MirageOS, Solo5's tests,\n"
          "guests built with runnc's SDK), inside this process under a seccomp allowlist.\n"
          "ARGS, joined by spaces, are its command line. The exit status is the guest's.\n"
          "  --mem=MiB                   guest memory (default 512, 2 to 65536)\n"
          "  --net:NAME=TAP              attach the existing tap TAP (or @FD) as network NAME\n"
          "  --net-mac:NAME=MAC          its MAC (default: random, locally administered)\n"
          "  --block:NAME=FILE           attach FILE as block device NAME (read-write if possible)\n"
          "  --block-sector-size:NAME=N  its block size, a power of two from 512 (default 512)\n"
          "  --block-readonly:NAME       open it read-only: the guest's writes fail with EROFS\n"
          "  --disk-readonly             every block device read-only\n"
          "  --x-exec-heap               allow W+X segments and an executable heap (for JITs; unsafe)\n"
          "  --user=UID:GID[:G1,G2...]   once the devices are open, run as user UID, group GID\n"
          "                              and only the supplementary groups G1,G2... (none if\n"
          "                              omitted); the guest then holds no root credentials\n"
          "  --print-filter              print the syscall allowlist for these options and exit\n"
          "  --nabla-legacy              KERNEL is a Nabla-era Solo5 v0.4 spt unikernel (no ELF\n"
          "                              notes); its devices are then --net=TAP [--net-mac=MAC]\n"
          "                              and --disk=FILE, and ARGS its rumprun CONFIG\n"
          "  --version                   print the version and the Solo5 ABIs it runs\n"
          "NAME is a device the unikernel declares in its manifest; every declared device\n"
          "must be attached, but for runnc's volume slots, which are optional.\n",
          stdout);
}
