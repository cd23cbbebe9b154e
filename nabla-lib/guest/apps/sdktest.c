/*
 * sdktest: checks the SDK's runtime from inside a guest (formatting,
 * malloc, strings, clocks, environment, block-read refusals). Prints one
 * "FAIL: ..." line per failed check, then "sdktest: N checks, M failed",
 * and exits 1 if any failed. Then prints one 1000-byte line: nb_printf
 * output longer than its 256-byte buffer.
 */
#include <linux/errno.h>

#include "nabla.h"

/* The block checks need a disk. */
NB_MANIFEST(NB_BLOCK(NB_BLOCK_NAME));

static int checks, failed;

static void check(bool ok, const char *what)
{
    checks++;
    if (!ok) {
        failed++;
        nb_printf("FAIL: %s\n", what);
    }
}

static void check_str(const char *got, const char *want, const char *what)
{
    checks++;
    if (strcmp(got, want) != 0) {
        failed++;
        nb_printf("FAIL: %s: got \"%s\", want \"%s\"\n", what, got, want);
    }
}

static void test_format(void)
{
    char b[256];
    int n = nb_snprintf(b, sizeof(b), "%d|%5d|%-5d|%05d|%i|%u|%ld|%lu|%lld|%llu|%zu|%zd", -42, 42, 42,
                        -42, 7, 4000000000u, -1234567890123l, 18446744073709551615ul,
                        -9223372036854775807ll - 1, 18446744073709551615ull, (size_t)99,
                        (ptrdiff_t)-99);
    check_str(b, "-42|   42|42   |-0042|7|4000000000|-1234567890123|18446744073709551615|"
                 "-9223372036854775808|18446744073709551615|99|-99", "integers");
    check(n == (int)strlen(b), "snprintf returns the length");
    nb_snprintf(b, sizeof(b), "%x|%08x|%lx|%llx|%p|%s|%.*s|%c|%%|%-4s|%4s|%s", 0xbeefu, 0xbeefu,
                0xdeadbeefcafel, 0x1ull << 63, (void *)0x1000, "str", 3, "abcdef", 'z', "ab", "ab",
                (char *)NULL);
    check_str(b, "beef|0000beef|deadbeefcafe|8000000000000000|0x1000|str|abc|z|%|ab  |  ab|(null)",
              "hex, pointers, strings");
    n = nb_snprintf(b, 5, "%s", "truncated");
    check(n == 9 && strcmp(b, "trun") == 0, "snprintf truncates and counts");
    check(nb_snprintf(NULL, 0, "%d", 12345) == 5, "snprintf(NULL, 0) counts");
}

static void test_malloc(void)
{
    enum { N = 200 };
    static unsigned char *p[N];
    static size_t size[N];

    for (int i = 0; i < N; i++) {
        size[i] = (size_t)(i * 37 % 1000 + 1);
        p[i] = nb_malloc(size[i]);
        check(p[i] && ((uintptr_t)p[i] & 15) == 0, "malloc gives 16-byte aligned memory");
        memset(p[i], i, size[i]);
    }
    for (int i = 0; i < N; i += 2) /* free every other block... */
        nb_free(p[i]);
    for (int i = 1; i < N; i += 2) { /* ...and the rest must be untouched */
        bool ok = true;
        for (size_t k = 0; k < size[i]; k++)
            ok &= p[i][k] == (unsigned char)i;
        check(ok, "blocks do not overlap");
    }
    for (int i = N - 1; i >= 1; i -= 2)
        nb_free(p[i]);
    /* Everything is free and merged: one block nearly as big as the heap
     * (CONFIG took a little of it), more than was left beside the blocks. */
    uintptr_t heap_start, heap_end;
    nb_heap_range(&heap_start, &heap_end);
    void *big = nb_malloc(heap_end - heap_start - (64u << 10));
    check(big != NULL, "freed blocks merge back into a big one");
    nb_free(big);
    check(nb_malloc(SIZE_MAX - 8) == NULL, "a huge malloc fails");
    check(nb_calloc(SIZE_MAX / 2, 4) == NULL, "calloc overflow fails");
    unsigned char *z = nb_calloc(100, 10);
    bool zero = z != NULL;
    for (int i = 0; zero && i < 1000; i++)
        zero = z[i] == 0;
    check(zero, "calloc zeroes");
    nb_free(z);
    nb_free(NULL);
}

static void test_strings(void)
{
    char b[16] = "0123456789";
    memmove(b + 2, b, 5);
    check_str(b, "0101234789", "memmove forward overlap");
    memmove(b, b + 3, 5);
    check_str(b, "1234734789", "memmove backward overlap");
    check(memcmp("abc", "abd", 3) < 0 && memcmp("abd", "abc", 3) > 0 && memcmp("x", "x", 1) == 0,
          "memcmp");
    check(strcmp("a", "b") < 0 && strcmp("b", "a") > 0 && strcmp("", "") == 0 &&
              strcmp("\xff", "a") > 0,
          "strcmp (unsigned)");
    check(strncmp("abcX", "abcY", 3) == 0 && strncmp("ab", "abc", 3) < 0, "strncmp");
    check(strchr("hello", 'l') && *strchr("hello", 'l') == 'l' && strchr("hello", 'z') == NULL &&
              strchr("hello", '\0') != NULL,
          "strchr");
    check(nb_atol("-42") == -42 && nb_atol("+7") == 7 && nb_atol("12x") == 12 && nb_atol("") == 0,
          "nb_atol");
}

static void test_process(void)
{
    uint64_t t0 = nb_clock_monotonic(), t1 = nb_clock_monotonic();
    check(t1 >= t0 && t0 > 0, "the monotonic clock does not go back");
    check(nb_clock_wall() > 1600000000ull * 1000000000ull, "the wall clock is after 2020");
    /* Without a network device only the timer can end a wait. */
    check(!nb_yield(nb_clock_monotonic()), "yield to a past deadline returns");
    uint64_t deadline = nb_clock_monotonic() + 2000000;
    check(!nb_yield(deadline) && nb_clock_monotonic() >= deadline, "yield waits for its deadline");
    const char *v = nb_getenv("SDKTEST");
    check(v && strcmp(v, "a=b") == 0, "getenv finds SDKTEST=a=b");
    check(nb_getenv("SDKTES") == NULL && nb_getenv("MISSING") == NULL, "getenv misses");
    static char buf[2 * NB_BLOCK_SIZE_MAX];
    uint32_t bs = nb_block_sector();
    bool sane = nb_block_present() && bs >= 512 && (bs & (bs - 1)) == 0 &&
                bs <= sizeof(buf) / 2 && nb_block_size() % bs == 0;
    check(sane, "the disk is there, its block size a power of two from 512 that divides it");
    if (sane) {
        check(nb_block_read(bs / 2, buf, bs) == -EINVAL, "an unaligned block read is refused");
        check(nb_block_read(0, buf, bs / 2) == -EINVAL, "a partial-block read is refused");
        check(nb_block_read(nb_block_size(), buf, bs) == -EINVAL, "a read past the disk is refused");
        check(nb_block_read(nb_block_size() - bs, buf, bs) == 0, "the last block reads");
        check(nb_block_size() < 2 * bs || nb_block_read(0, buf, 2 * bs) == 0, "two blocks read");
    }
}

int main(void)
{
    static char line[1001];

    test_format();
    test_malloc();
    test_strings();
    test_process();
    nb_printf("sdktest: %d checks, %d failed\n", checks, failed);
    memset(line, 'x', 1000);
    nb_printf("%s\n", line);
    return failed ? 1 : 0;
}
