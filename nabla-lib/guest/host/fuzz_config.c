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
