/*
 * A small JSON reader for CONFIG: a cursor over a byte range that never
 * reads past its end, with nesting bounded by JSON_MAX_DEPTH. Decoded
 * strings go to a bump arena. Built both into guests and, for the fuzzer
 * and config-dump, on the host: it depends on nothing but mem* and str*.
 */
#ifndef NABLA_JSON_H
#define NABLA_JSON_H

#include <stdbool.h>
#include <stddef.h>

#define JSON_MAX_DEPTH 32

/* A bump allocator over one buffer; a caller may roll used back. */
struct nb_arena {
    char *base;
    size_t cap;
    size_t used;
};
void *nb_arena_alloc(struct nb_arena *a, size_t n, size_t align);

struct json {
    const char *s;
    size_t len;
    size_t pos;
    const char *err;   /* first error, NULL while the input is fine */
    size_t err_pos;    /* byte offset of the error */
};

void json_init(struct json *j, const char *s, size_t len);
/* Records the first error (at the current position) and returns false. */
bool json_fail(struct json *j, const char *msg);
/* Skips whitespace; the next byte, or -1 at the end. */
int json_peek(struct json *j);
/* Consumes c if it is next (after whitespace). */
bool json_eat(struct json *j, char c);
/* Like json_eat, but a missing c is an error (msg). */
bool json_expect(struct json *j, char c, const char *msg);
/* Decodes a string into the arena: NUL-terminated, *len without the NUL
 * (the text may hold \u0000). Escapes: \" \\ \/ \b \f \n \r \t \uXXXX,
 * surrogate pairs give UTF-8; a lone surrogate gives U+FFFD, as Go's
 * encoding/json does. */
bool json_string(struct json *j, struct nb_arena *a, char **out, size_t *len);
/* Skips one value of any type, checking its syntax. */
bool json_skip(struct json *j);
/* After the top-level value: only whitespace may follow. */
bool json_end(struct json *j);

#endif
