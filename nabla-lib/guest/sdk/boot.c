/*
 * The C start, called by start.S: checks the boot info, parses CONFIG into
 * the start of the heap, runs main and exits with its status. Also the
 * process-wide getters (environment, cwd, memory size).
 */
#include "sdk.h"

int main(int argc, char **argv);

const struct nabla_boot_info *nb_bi;
struct nb_config nb_cfg;
char **nb_environ;

/* Before CONFIG is parsed there is no printf worth trusting the state of:
 * write the pieces as they are. */
static _Noreturn void boot_fail(const char *what, const char *detail, size_t at)
{
    char num[24];
    size_t n = sizeof(num);

    nb_console_write("nabla: ", 7);
    nb_console_write(what, strlen(what));
    if (detail) {
        nb_console_write(": ", 2);
        nb_console_write(detail, strlen(detail));
        nb_console_write(" (at byte ", 10);
        do {
            num[--n] = (char)('0' + at % 10);
            at /= 10;
        } while (at);
        nb_console_write(num + n, sizeof(num) - n);
        nb_console_write(")", 1);
    }
    nb_console_write("\n", 1);
    nb_exit(1);
}

/* Called by start.S only. */
_Noreturn void nb_start(const struct nabla_boot_info *bi);

_Noreturn void nb_start(const struct nabla_boot_info *bi)
{
    nb_bi = bi;
    if (bi->magic != NABLA_BOOT_MAGIC || bi->abi_version != NABLA_ABI_VERSION)
        boot_fail("this guest needs boot ABI 1 from a runnc nabla-run tender", NULL, 0);

    /* CONFIG's arrays and strings are parsed into the bottom of the heap;
     * malloc gets what is left. */
    struct nb_arena a = {
        .base = (char *)(uintptr_t)bi->heap_start,
        .cap = bi->heap_end - bi->heap_start,
    };
    struct json j;
    if (!nb_config_parse((const char *)(uintptr_t)bi->config, bi->config_len, &a, &nb_cfg, &j))
        boot_fail("CONFIG", j.err, j.err_pos);
    nb_environ = nb_cfg.env;
    nb_heap_init(bi->heap_start + a.used, bi->heap_end);

    nb_exit(main(nb_cfg.argc, nb_cfg.argv));
}

_Noreturn void nb_exit(int status)
{
    for (;;)
        nb_syscall6(__NR_exit_group, status, 0, 0, 0, 0, 0);
}

const struct nabla_boot_info *nb_boot_info(void)
{
    return nb_bi;
}

const char *nb_getenv(const char *name)
{
    size_t n = strlen(name);
    for (char **e = nb_environ; e && *e; e++) {
        if (strncmp(*e, name, n) == 0 && (*e)[n] == '=')
            return *e + n + 1;
    }
    return NULL;
}

const char *nb_cwd(void)
{
    return nb_cfg.cwd;
}

/* The tender's --mem: the whole range from address 0, including the
 * unmapped first 64 KiB. */
uint64_t nb_mem_size(void)
{
    return nb_bi->mem_end;
}
