/*
 * The console (fd 1) and the printf family. One formatter serves both: it
 * writes into a buffer, and nb_printf flushes that buffer to the console
 * whenever it fills, so output of any length needs no heap.
 */
#include "sdk.h"

long nb_console_write(const void *buf, size_t len)
{
    const char *p = buf;
    size_t done = 0;

    while (done < len) {
        long r = nb_syscall6(__NR_write, 1, (long)(p + done), (long)(len - done), 0, 0, 0);
        if (r == -EINTR)
            continue;
        if (r < 0)
            return done ? (long)done : r;
        done += (size_t)r;
    }
    return (long)done;
}

struct sink {
    char *buf;
    size_t cap;     /* room in buf, keeping one byte for the NUL */
    size_t len;     /* bytes in buf */
    size_t total;   /* bytes produced */
    bool console;   /* flush to the console when full, instead of dropping */
};

static void put(struct sink *s, char c)
{
    if (s->len == s->cap && s->console) {
        nb_console_write(s->buf, s->len);
        s->len = 0;
    }
    if (s->len < s->cap)
        s->buf[s->len++] = c;
    s->total++;
}

static void pad(struct sink *s, char c, int n)
{
    while (n-- > 0)
        put(s, c);
}

/* One converted field: text of len bytes, padded to width. Zero padding
 * goes after a sign. */
static void field(struct sink *s, const char *text, size_t len, int width, bool left, bool zero)
{
    int fill = width > (int)len ? width - (int)len : 0;
    if (left) {
        for (size_t i = 0; i < len; i++)
            put(s, text[i]);
        pad(s, ' ', fill);
        return;
    }
    if (zero && len && text[0] == '-') {
        put(s, '-');
        text++;
        len--;
    }
    pad(s, zero ? '0' : ' ', fill);
    for (size_t i = 0; i < len; i++)
        put(s, text[i]);
}

/* Digits of v in base (10 or 16) at the end of buf[24]; returns the start. */
static char *digits(char *end, unsigned long long v, unsigned base, bool neg)
{
    char *p = end;
    do {
        *--p = "0123456789abcdef"[v % base];
        v /= base;
    } while (v);
    if (neg)
        *--p = '-';
    return p;
}

enum size { SZ_INT, SZ_LONG, SZ_LLONG, SZ_SIZE };

static void format(struct sink *s, const char *fmt, va_list ap)
{
    char num[24];

    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            put(s, *fmt);
            continue;
        }
        bool left = false, zero = false;
        int width = 0, prec = -1;
        enum size size = SZ_INT;

        for (;; fmt++) {
            if (fmt[1] == '-')
                left = true;
            else if (fmt[1] == '0')
                zero = true;
            else
                break;
        }
        for (; fmt[1] >= '0' && fmt[1] <= '9'; fmt++)
            width = width * 10 + (fmt[1] - '0');
        if (fmt[1] == '.' && fmt[2] == '*') {
            prec = va_arg(ap, int);
            fmt += 2;
        }
        if (fmt[1] == 'z') {
            size = SZ_SIZE;
            fmt++;
        } else if (fmt[1] == 'l') {
            size = SZ_LONG;
            fmt++;
            if (fmt[1] == 'l') {
                size = SZ_LLONG;
                fmt++;
            }
        }
        fmt++;
        if (*fmt == '\0')
            break;

        unsigned long long u;
        long long v;
        const char *str;
        char *p;
        switch (*fmt) {
        case 'd':
        case 'i':
            v = size == SZ_INT ? va_arg(ap, int)
              : size == SZ_LLONG ? va_arg(ap, long long) : va_arg(ap, long);
            u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
            p = digits(num + sizeof(num), u, 10, v < 0);
            field(s, p, (size_t)(num + sizeof(num) - p), width, left, zero);
            break;
        case 'u':
        case 'x':
            u = size == SZ_INT ? va_arg(ap, unsigned)
              : size == SZ_LLONG ? va_arg(ap, unsigned long long) : va_arg(ap, unsigned long);
            p = digits(num + sizeof(num), u, *fmt == 'x' ? 16 : 10, false);
            field(s, p, (size_t)(num + sizeof(num) - p), width, left, zero);
            break;
        case 'p':
            p = digits(num + sizeof(num), (uintptr_t)va_arg(ap, void *), 16, false);
            *--p = 'x';
            *--p = '0';
            field(s, p, (size_t)(num + sizeof(num) - p), width, left, false);
            break;
        case 's':
            str = va_arg(ap, const char *);
            if (!str)
                str = "(null)";
            u = 0;
            while ((prec < 0 || u < (unsigned)prec) && str[u])
                u++;
            field(s, str, (size_t)u, width, left, false);
            break;
        case 'c':
            num[0] = (char)va_arg(ap, int);
            field(s, num, 1, width, left, false);
            break;
        default: /* %% and anything unsupported are printed as they are */
            put(s, *fmt);
        }
    }
}

int nb_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct sink s = { .buf = buf, .cap = size ? size - 1 : 0 };
    format(&s, fmt, ap);
    if (size)
        buf[s.len] = '\0';
    return (int)s.total;
}

int nb_snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = nb_vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

int nb_printf(const char *fmt, ...)
{
    char buf[256];
    struct sink s = { .buf = buf, .cap = sizeof(buf), .console = true };
    va_list ap;

    va_start(ap, fmt);
    format(&s, fmt, ap);
    va_end(ap);
    if (s.len)
        nb_console_write(buf, s.len);
    return (int)s.total;
}
