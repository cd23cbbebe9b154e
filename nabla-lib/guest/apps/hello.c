/*
 * hello: the smallest useful unikernel, and a fixture for the tests. Prints
 *     Hello, World
 *     arg[0]: hello.nabla        one line per argv element
 *     env: K=V                   one line per environment entry
 *     cwd: /
 *     mem: 512 MiB
 *     net: 10.0.0.2/24 gw 10.0.0.1    only when CONFIG has "net"
 * then exits 0. Arguments that change the ending (the last one wins):
 *     exit=N     exit with status N
 *     sleep      wait until killed
 *     sleep=S    wait S seconds, then exit 0
 */
#include "nabla.h"

/* No devices: hello needs none, and a tender must attach what is declared. */
NB_MANIFEST();

static void print_ipv4(uint32_t a)
{
    nb_printf("%u.%u.%u.%u", a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff);
}

int main(int argc, char **argv)
{
    struct nb_net_config net;
    int status = 0;
    uint64_t deadline = 0;

    nb_printf("Hello, World\n");
    for (int i = 0; i < argc; i++)
        nb_printf("arg[%d]: %s\n", i, argv[i]);
    for (char **e = nb_environ; *e; e++)
        nb_printf("env: %s\n", *e);
    nb_printf("cwd: %s\n", nb_cwd());
    nb_printf("mem: %llu MiB\n", (unsigned long long)(nb_mem_size() >> 20));
    if (nb_net_config(&net)) {
        nb_printf("net: ");
        print_ipv4(net.addr);
        nb_printf("/%u gw ", net.prefix);
        print_ipv4(net.gw);
        nb_printf("\n");
    }

    for (int i = 1; i < argc; i++) {
        if (strncmp(argv[i], "exit=", 5) == 0) {
            status = (int)nb_atol(argv[i] + 5);
            deadline = 0;
        } else if (strcmp(argv[i], "sleep") == 0) {
            deadline = UINT64_MAX;
        } else if (strncmp(argv[i], "sleep=", 6) == 0) {
            deadline = nb_clock_monotonic() + (uint64_t)nb_atol(argv[i] + 6) * 1000000000ull;
            status = 0;
        }
    }
    /* Without a network device only the deadline ends a wait. */
    while (deadline && nb_clock_monotonic() < deadline)
        nb_yield(deadline);
    return status;
}
