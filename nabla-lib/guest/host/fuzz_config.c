/*
 * libFuzzer target for the guest's CONFIG parser (json.c + config.c, built
 * for the host). CONFIG comes from a container's bundle: any bytes. The
 * parser must never read past its input nor write past its arena, whatever
 * it is given, and what it accepts must be consistent.
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../sdk/config.h"

/* A small arena as well as a roomy one: running out must be an error, not
 * an overflow. */
static void parse(const char *text, size_t len, size_t cap)
{
    struct nb_arena a = { malloc(cap ? cap : 1), cap, 0 };
    struct nb_config c;
    struct json j;

    if (nb_config_parse(text, len, &a, &c, &j)) {
        assert(c.argv[c.argc] == NULL);
        assert(c.env[c.nenv] == NULL);
        assert(c.cwd != NULL);
        assert(!c.has_net || c.net_prefix <= 32);
        for (size_t i = 0; i < c.nfiles; i++)
            assert(c.files[i].path[0] == '/' && nb_config_file(&c, c.files[i].path) == &c.files[i]);
        assert(c.nmounts <= NB_MOUNTS_MAX);
        for (size_t i = 0; i < c.nmounts; i++) {
            const struct nb_config_mount *m = &c.mounts[i];
            size_t n = strlen(m->path);
            assert(m->path[0] == '/' && n > 1 && m->path[n - 1] != '/' && !strstr(m->path, "//") &&
                   !strstr(m->path, "/./") && !strstr(m->path, "/../") && m->index == i);
            assert(m->device[0] && strlen(m->device) <= NB_MOUNT_DEVICE_MAX);
            assert(m->type == NB_MOUNT_ISO9660 || m->type == NB_MOUNT_RAW);
            for (size_t k = 0; k < i; k++)
                assert(strcmp(c.mounts[k].path, m->path) != 0);
        }
    } else {
        assert(j.err != NULL && j.err_pos <= len);
    }
    assert(a.used <= a.cap);
    free(a.base);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* An exact-size copy, so ASan catches a read one byte past the end. */
    char *text = malloc(size ? size : 1);
    memcpy(text, data, size);
    parse(text, size, 16 * size + 4096);
    parse(text, size, size / 2);
    free(text);
    return 0;
}
