/*
 * config-dump: reads CONFIG on stdin and prints, as one JSON object, what a
 * guest would see: {"argv":[...],"argv_from_cmdline":bool,"env":[...],
 * "cwd":"...","net":{"addr":"a.b.c.d","prefix":N,"gw":"a.b.c.d"}|null,
 * "blk":bool,"files":{"path":"content",...}}, and, only when CONFIG has
 * mounts, "mounts":[{"device":"vol0","path":"/data","type":"iso9660"|"raw"},
 * ...] in CONFIG's order (so the output of a CONFIG without mounts is what
 * it always was). The same parser as the guest's, built for the host: the
 * oracle for runnc's CONFIG builder. A rejected CONFIG prints the guest's
 * error on stderr and exits 1. That a mount's device is one the guest
 * declares and the tender attached is checked only in the guest, at boot.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../sdk/config.h"

static void put_string(const char *s, size_t len)
{
    putchar('"');
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\')
            printf("\\%c", c);
        else if (c == '\n')
            fputs("\\n", stdout);
        else if (c == '\t')
            fputs("\\t", stdout);
        else if (c < 0x20 || c == 0x7f)
            printf("\\u%04x", c);
        else
            putchar(c);
    }
    putchar('"');
}

static void put_cstrings(char **v)
{
    putchar('[');
    for (size_t i = 0; v[i]; i++) {
        if (i)
            putchar(',');
        put_string(v[i], strlen(v[i]));
    }
    putchar(']');
}

static void put_ipv4(uint32_t a)
{
    printf("\"%u.%u.%u.%u\"", a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff);
}

int main(void)
{
    size_t cap = 1 << 16, len = 0, n;
    char *text = malloc(cap);

    while (text && (n = fread(text + len, 1, cap - len, stdin)) > 0) {
        len += n;
        if (len == cap)
            text = realloc(text, cap *= 2);
    }
    if (!text || ferror(stdin)) {
        fprintf(stderr, "config-dump: cannot read CONFIG from stdin\n");
        return 1;
    }
    /* As much room as the guest's arena could need: see fuzz_config.c. */
    struct nb_arena a = { malloc(16 * len + 4096), 16 * len + 4096, 0 };
    struct nb_config c;
    struct json j;
    if (!a.base || !nb_config_parse(text, len, &a, &c, &j)) {
        fprintf(stderr, "config-dump: CONFIG: %s (at byte %zu)\n", a.base ? j.err : "no memory",
                a.base ? j.err_pos : 0);
        return 1;
    }

    fputs("{\"argv\":", stdout);
    put_cstrings(c.argv);
    printf(",\"argv_from_cmdline\":%s,\"env\":", c.argv_from_cmdline ? "true" : "false");
    put_cstrings(c.env);
    fputs(",\"cwd\":", stdout);
    put_string(c.cwd, strlen(c.cwd));
    fputs(",\"net\":", stdout);
    if (c.has_net) {
        fputs("{\"addr\":", stdout);
        put_ipv4(c.net_addr);
        printf(",\"prefix\":%u,\"gw\":", c.net_prefix);
        if (c.net_gw)
            put_ipv4(c.net_gw);
        else
            fputs("\"\"", stdout);
        putchar('}');
    } else {
        fputs("null", stdout);
    }
    printf(",\"blk\":%s,\"files\":{", c.has_blk ? "true" : "false");
    for (size_t i = 0; i < c.nfiles; i++) {
        if (i)
            putchar(',');
        put_string(c.files[i].path, strlen(c.files[i].path));
        putchar(':');
        put_string(c.files[i].data, c.files[i].len);
    }
    putchar('}');
    for (size_t i = 0; i < c.nmounts; i++) {
        const struct nb_config_mount *m = &c.mounts[i];
        fputs(i ? ",{\"device\":" : ",\"mounts\":[{\"device\":", stdout);
        put_string(m->device, strlen(m->device));
        fputs(",\"path\":", stdout);
        put_string(m->path, strlen(m->path));
        printf(",\"type\":\"%s\"}", m->type == NB_MOUNT_RAW ? "raw" : "iso9660");
    }
    fputs(c.nmounts ? "]}\n" : "}\n", stdout);
    free(a.base);
    free(text);
    return fflush(stdout) == 0 ? 0 : 1;
}
