/*
 * mem*, str* and snprintf for the files built both ways (json.c, config.c):
 * the SDK's own in a guest, the C library's in the host build (fuzzer,
 * config-dump), which defines NABLA_HOST.
 */
#ifndef NABLA_LIBC_H
#define NABLA_LIBC_H

#ifdef NABLA_HOST
#include <stdio.h>
#include <string.h>
#define nb_snprintf  snprintf
#define nb_vsnprintf vsnprintf
#else
#include "nabla.h"
#endif

#endif
