/*
 * libFuzzer target for args_parse: the input is split at NUL bytes into
 * argv. Any argv must give an error or options within their bounds.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "tender.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_ARGS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *copy = malloc(size + 1);
    char *argv[MAX_ARGS + 1];
    int argc = 0;
    struct args a;
    char err[256];

    memcpy(copy, data, size);
    copy[size] = '\0';
    argv[argc++] = "nabla-run";
    for (size_t i = 0; i <= size && argc < MAX_ARGS; ) {
        argv[argc++] = copy + i;
        i += strlen(copy + i) + 1;
    }
    argv[argc] = NULL;

    if (args_parse(argc, argv, &a, err, sizeof(err)) == 0 && !a.help && !a.version) {
        assert(a.mem_mib >= MEM_MIN_MIB && a.mem_mib <= MEM_MAX_MIB);
        assert(a.kernel || a.print_filter);
        assert(args_cmdline(&a, NULL, 0) < (long)CMDLINE_MAX);
        assert(a.ndev < MFT_MAX_ENTRIES);
        for (unsigned i = 0; i < a.ndev; i++) {
            const struct dev *d = &a.dev[i];
            assert(d->target && *d->target);
            assert(strlen(d->name) <= MFT_NAME_MAX && (a.legacy || *d->name));
            assert(!d->mac_set || !(d->mac[0] & 1));
            assert(d->kind == DEV_BLOCK || !strchr(d->target, '%'));
            assert(!d->sector || (d->sector >= 512 && !(d->sector & (d->sector - 1))));
        }
    } else if (!a.help && !a.version) {
        assert(err[0] != '\0');
    }
    free(copy);
    return 0;
}
