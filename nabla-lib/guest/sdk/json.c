/* The JSON reader; see json.h. */
#include <stdint.h>

#include "json.h"
#include "libc.h"

void *nb_arena_alloc(struct nb_arena *a, size_t n, size_t align)
{
    size_t start = (a->used + align - 1) & ~(align - 1);
    if (start < a->used || start > a->cap || n > a->cap - start)
        return NULL;
    a->used = start + n;
    return a->base + start;
}

void json_init(struct json *j, const char *s, size_t len)
{
    memset(j, 0, sizeof(*j));
    j->s = s;
    j->len = len;
}

bool json_fail(struct json *j, const char *msg)
{
    if (!j->err) {
        j->err = msg;
        j->err_pos = j->pos;
    }
    return false;
}

int json_peek(struct json *j)
{
    while (j->pos < j->len) {
        char c = j->s[j->pos];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
            return (unsigned char)c;
        j->pos++;
    }
    return -1;
}

bool json_eat(struct json *j, char c)
{
    if (json_peek(j) != (unsigned char)c)
        return false;
    j->pos++;
    return true;
}

bool json_expect(struct json *j, char c, const char *msg)
{
    return json_eat(j, c) || json_fail(j, msg);
}

static int hex4(const char *p)
{
    int v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= c - '0';
        else if (c >= 'a' && c <= 'f')
            v |= c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            v |= c - 'A' + 10;
        else
            return -1;
    }
    return v;
}

static size_t put_utf8(char *o, uint32_t cp)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xc0 | cp >> 6);
        o[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xe0 | cp >> 12);
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        o[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    o[0] = (char)(0xf0 | cp >> 18);
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
    o[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

/* The escape at s[*i] (just after the backslash's 'u'), whole pairs
 * included; advances *i past what it used. -1: malformed. */
static int32_t unicode_escape(const struct json *j, size_t *i)
{
    if (j->len - *i < 4)
        return -1;
    int hi = hex4(j->s + *i);
    if (hi < 0)
        return -1;
    *i += 4;
    if (hi < 0xd800 || hi > 0xdfff)
        return hi;
    /* A high surrogate followed by "\uDC00-DFFF" is one code point. */
    if (hi <= 0xdbff && j->len - *i >= 6 && j->s[*i] == '\\' && j->s[*i + 1] == 'u') {
        int lo = hex4(j->s + *i + 2);
        if (lo >= 0xdc00 && lo <= 0xdfff) {
            *i += 6;
            return 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00);
        }
    }
    return 0xfffd;
}

/* The closing quote of the string whose opening quote is at j->pos, or
 * j->len if there is none. */
static size_t string_end(const struct json *j)
{
    size_t end = j->pos + 1;
    while (end < j->len && j->s[end] != '"')
        end += j->s[end] == '\\' ? 2 : 1;
    return end < j->len ? end : j->len;
}

/* Decodes the string between j->pos (its opening quote) and end into o
 * (when o is NULL: only checks it); *n is the decoded length. The decoded
 * text is never longer than the quoted one: an escape of 2, 6 or 12 bytes
 * gives at most 1, 3 or 4. */
static bool decode(struct json *j, size_t end, char *o, size_t *n)
{
    char tmp[4];
    size_t i = j->pos + 1;

    *n = 0;
    while (i < end) {
        unsigned char c = (unsigned char)j->s[i];
        if (c < 0x20) {
            j->pos = i;
            return json_fail(j, "control character in a string");
        }
        if (c != '\\') {
            if (o)
                o[*n] = (char)c;
            (*n)++;
            i++;
            continue;
        }
        /* The scan in string_end stepped over the byte after a backslash,
         * so i + 1 < end. */
        char e = j->s[i + 1], d;
        size_t at = i, k;
        i += 2;
        switch (e) {
        case '"': case '\\': case '/': d = e; break;
        case 'b': d = '\b'; break;
        case 'f': d = '\f'; break;
        case 'n': d = '\n'; break;
        case 'r': d = '\r'; break;
        case 't': d = '\t'; break;
        case 'u': {
            /* A pair must end before the closing quote. */
            struct json in = *j;
            in.len = end;
            int32_t cp = unicode_escape(&in, &i);
            if (cp < 0) {
                j->pos = at;
                return json_fail(j, "bad \\u escape in a string");
            }
            k = put_utf8(tmp, (uint32_t)cp);
            if (o)
                memcpy(o + *n, tmp, k);
            *n += k;
            continue;
        }
        default:
            j->pos = at;
            return json_fail(j, "bad escape in a string");
        }
        if (o)
            o[*n] = d;
        (*n)++;
    }
    return true;
}

bool json_string(struct json *j, struct nb_arena *a, char **out, size_t *len)
{
    if (json_peek(j) != '"')
        return json_fail(j, "expected a string");
    size_t end = string_end(j);
    if (end == j->len)
        return json_fail(j, "unterminated string");
    size_t mark = a->used;
    char *o = nb_arena_alloc(a, end - j->pos, 1); /* text + NUL <= quoted + quotes */
    if (!o)
        return json_fail(j, "CONFIG does not fit in guest memory");
    if (!decode(j, end, o, len)) {
        a->used = mark;
        return false;
    }
    o[*len] = '\0';
    a->used = (size_t)(o - a->base) + *len + 1; /* give back what escapes saved */
    j->pos = end + 1;
    *out = o;
    return true;
}

static bool skip_string(struct json *j)
{
    size_t n;
    if (json_peek(j) != '"')
        return json_fail(j, "expected a string");
    size_t end = string_end(j);
    if (end == j->len)
        return json_fail(j, "unterminated string");
    if (!decode(j, end, NULL, &n))
        return false;
    j->pos = end + 1;
    return true;
}

static bool literal(struct json *j, const char *word)
{
    size_t n = strlen(word);
    if (j->len - j->pos < n || memcmp(j->s + j->pos, word, n) != 0)
        return json_fail(j, "unexpected character");
    j->pos += n;
    return true;
}

static bool digits(struct json *j)
{
    size_t start = j->pos;
    while (j->pos < j->len && j->s[j->pos] >= '0' && j->s[j->pos] <= '9')
        j->pos++;
    return j->pos > start || json_fail(j, "bad number");
}

/* -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
static bool number(struct json *j)
{
    if (j->s[j->pos] == '-')
        j->pos++;
    if (j->pos < j->len && j->s[j->pos] == '0')
        j->pos++;
    else if (!digits(j))
        return false;
    if (j->pos < j->len && j->s[j->pos] == '.') {
        j->pos++;
        if (!digits(j))
            return false;
    }
    if (j->pos < j->len && (j->s[j->pos] == 'e' || j->s[j->pos] == 'E')) {
        j->pos++;
        if (j->pos < j->len && (j->s[j->pos] == '+' || j->s[j->pos] == '-'))
            j->pos++;
        if (!digits(j))
            return false;
    }
    return true;
}

static bool skip_value(struct json *j, int depth)
{
    int c = json_peek(j);
    if (depth > JSON_MAX_DEPTH)
        return json_fail(j, "nested too deeply");
    switch (c) {
    case -1:
        return json_fail(j, "unexpected end of input");
    case '"':
        return skip_string(j);
    case '{':
        j->pos++;
        if (json_eat(j, '}'))
            return true;
        do {
            if (!skip_string(j) || !json_expect(j, ':', "expected ':' after a key") ||
                !skip_value(j, depth + 1))
                return false;
        } while (json_eat(j, ','));
        return json_expect(j, '}', "expected ',' or '}' in an object");
    case '[':
        j->pos++;
        if (json_eat(j, ']'))
            return true;
        do {
            if (!skip_value(j, depth + 1))
                return false;
        } while (json_eat(j, ','));
        return json_expect(j, ']', "expected ',' or ']' in an array");
    case 't':
        return literal(j, "true");
    case 'f':
        return literal(j, "false");
    case 'n':
        return literal(j, "null");
    default:
        if (c == '-' || (c >= '0' && c <= '9'))
            return number(j);
        return json_fail(j, "unexpected character");
    }
}

bool json_skip(struct json *j)
{
    return skip_value(j, 1);
}

bool json_end(struct json *j)
{
    return json_peek(j) == -1 || json_fail(j, "trailing characters after the JSON value");
}
