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

    if (args_parse(argc, argv, &a, err, sizeof(err)) == 0 && !a.help) {
        assert(a.mem_mib >= MEM_MIN_MIB && a.mem_mib <= MEM_MAX_MIB);
        assert(a.unikernel || a.print_filter);
        assert(a.config && strlen(a.config) < NABLA_CONFIG_MAX);
        assert(!a.net || (strlen(a.net) > 0 && strlen(a.net) < 16 && !strchr(a.net, '%')));
        assert(!a.net_mac_set || !(a.net_mac[0] & 1));
    } else if (!a.help) {
        assert(err[0] != '\0');
    }
    free(copy);
    return 0;
}
