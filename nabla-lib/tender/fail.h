/*
 * fail: the error return of the tender's pure checkers (arguments, ELF),
 * which write their one-line reason into the caller's buffer instead of
 * printing it, so that the fuzz targets can call them.
 */
#ifndef NABLA_TENDER_FAIL_H
#define NABLA_TENDER_FAIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

static inline int fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static inline int fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

#endif
