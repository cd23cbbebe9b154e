/*
 * mem* and str* for the files built both ways (json.c, config.c): the SDK's
 * own in a guest, the C library's in the host build (fuzzer, config-dump),
 * which defines NABLA_HOST.
 */
#ifndef NABLA_LIBC_H
#define NABLA_LIBC_H

#ifdef NABLA_HOST
#include <string.h>
#else
#include "nabla.h"
#endif

#endif
