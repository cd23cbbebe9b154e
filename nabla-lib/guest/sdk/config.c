/* CONFIG -> struct nb_config; see config.h for the keys and their rules. */
#include <stdarg.h>

#include "config.h"
#include "libc.h"

static const char no_room[] = "CONFIG does not fit in guest memory";

/* Lists are built as linked items in the arena, then turned into arrays
 * once their length is known. */
struct item {
    struct item *next;
    char *s;
    char *val;
    size_t vlen;
};

struct list {
    struct item *head;
    struct item **tail;
    size_t n;
};

static void list_reset(struct list *l)
{
    l->head = NULL;
    l->tail = &l->head;
    l->n = 0;
}

static struct item *list_push(struct list *l, struct nb_arena *a)
{
    struct item *it = nb_arena_alloc(a, sizeof(*it), _Alignof(struct item));
    if (!it)
        return NULL;
    memset(it, 0, sizeof(*it));
    *l->tail = it;
    l->tail = &it->next;
    l->n++;
    return it;
}

enum key { K_OTHER, K_CMDLINE, K_ARGV, K_ENV, K_CWD, K_NET, K_BLK, K_FILES, K_MOUNTS,
           K_ADDR, K_MASK, K_GW, K_DEVICE, K_PATH, K_TYPE };

struct key_name {
    const char *name;
    enum key key;
};

static const struct key_name top_keys[] = {
    { "cmdline", K_CMDLINE }, { "argv", K_ARGV }, { "env", K_ENV }, { "cwd", K_CWD },
    { "net", K_NET },         { "blk", K_BLK },   { "files", K_FILES }, { "mounts", K_MOUNTS },
};

static const struct key_name net_keys[] = {
    { "addr", K_ADDR }, { "mask", K_MASK }, { "gw", K_GW },
};

static const struct key_name mount_keys[] = {
    { "device", K_DEVICE }, { "path", K_PATH }, { "type", K_TYPE },
};

/* Reads an object key and the ':' after it. The key's text is dropped
 * from the arena at once: only which key it was matters. */
static bool read_key(struct json *j, struct nb_arena *a, const struct key_name *t, size_t n,
                     enum key *key)
{
    size_t mark = a->used, len;
    char *s;

    if (!json_string(j, a, &s, &len))
        return false;
    a->used = mark;
    *key = K_OTHER;
    for (size_t i = 0; i < n; i++) {
        if (strlen(t[i].name) == len && memcmp(t[i].name, s, len) == 0)
            *key = t[i].key;
    }
    return json_expect(j, ':', "expected ':' after a key");
}

/* A string value where the schema wants one; what names the key. */
static bool string_value(struct json *j, struct nb_arena *a, const char *what, char **s,
                         size_t *len)
{
    if (json_peek(j) != '"')
        return json_fail(j, what);
    return json_string(j, a, s, len);
}

/* A C string: text that must not hold NUL. */
static bool cstring_value(struct json *j, struct nb_arena *a, const char *what, char **s)
{
    size_t len, at = j->pos;
    if (!string_value(j, a, what, s, &len))
        return false;
    if (strlen(*s) != len) {
        j->pos = at;
        return json_fail(j, "a \\u0000 in a string that cannot hold one");
    }
    return true;
}

/* Decimal, each part 0..255, exactly four parts. */
static bool parse_ipv4(const char *s, uint32_t *out)
{
    uint32_t v = 0;
    for (int part = 0; part < 4; part++) {
        uint32_t n = 0;
        int digits = 0;
        for (; *s >= '0' && *s <= '9' && digits < 4; s++, digits++)
            n = n * 10 + (uint32_t)(*s - '0');
        if (digits == 0 || digits > 3 || n > 255)
            return false;
        v = v << 8 | n;
        if (part < 3 && *s++ != '.')
            return false;
    }
    *out = v;
    return *s == '\0';
}

/* A prefix length ("24"), or a contiguous dotted netmask. */
static bool parse_mask(const char *s, uint32_t *prefix)
{
    uint32_t m;
    if (s[0] >= '0' && s[0] <= '9' && (s[1] == '\0' || (s[1] >= '0' && s[1] <= '9' && s[2] == '\0'))) {
        *prefix = (uint32_t)(s[0] - '0');
        if (s[1])
            *prefix = *prefix * 10 + (uint32_t)(s[1] - '0');
        return *prefix <= 32;
    }
    if (!parse_ipv4(s, &m) || (~m & (~m + 1)) != 0)
        return false;
    for (*prefix = 0; m; m <<= 1)
        (*prefix)++;
    return true;
}

static bool parse_net(struct json *j, struct nb_arena *a, struct nb_config *c)
{
    char *addr = NULL, *mask = NULL, *gw = NULL;
    size_t at = j->pos;
    enum key k;

    if (!json_expect(j, '{', "\"net\" must be an object"))
        return false;
    if (!json_eat(j, '}')) {
        do {
            if (!read_key(j, a, net_keys, sizeof(net_keys) / sizeof(net_keys[0]), &k))
                return false;
            if ((k == K_ADDR && !cstring_value(j, a, "\"net\".\"addr\" must be a string", &addr)) ||
                (k == K_MASK && !cstring_value(j, a, "\"net\".\"mask\" must be a string", &mask)) ||
                (k == K_GW && !cstring_value(j, a, "\"net\".\"gw\" must be a string", &gw)) ||
                (k == K_OTHER && !json_skip(j)))
                return false;
        } while (json_eat(j, ','));
        if (!json_expect(j, '}', "expected ',' or '}' in \"net\""))
            return false;
    }
    j->pos = at; /* errors below are about the whole object */
    if (!addr || !parse_ipv4(addr, &c->net_addr))
        return json_fail(j, "\"net\".\"addr\" is missing or not a dotted IPv4 address");
    if (!mask || !parse_mask(mask, &c->net_prefix))
        return json_fail(j, "\"net\".\"mask\" is missing or not a prefix length 0-32");
    if (gw && gw[0] && !parse_ipv4(gw, &c->net_gw))
        return json_fail(j, "\"net\".\"gw\" is not a dotted IPv4 address");
    c->has_net = true;
    return json_skip(j); /* back past the object, already checked */
}

/* Fails with one line naming the mount entry m (and its path, once it is
 * known to be printable), the error at byte at. The line is formatted into
 * the arena, which outlives the parse. */
__attribute__((format(printf, 5, 6))) static bool
mount_fail(struct json *j, struct nb_arena *a, const struct nb_config_mount *m, size_t at,
           const char *fmt, ...)
{
    enum { MSG = 200 };
    char *msg = nb_arena_alloc(a, MSG, 1);
    va_list ap;
    size_t n;

    if (!msg)
        return json_fail(j, no_room);
    n = (size_t)nb_snprintf(msg, MSG, m->path ? "\"mounts\"[%zu] (%.*s): " : "\"mounts\"[%zu]: ",
                            m->index, 64, m->path);
    if (n < MSG) {
        va_start(ap, fmt);
        nb_vsnprintf(msg + n, MSG - n, fmt, ap);
        va_end(ap);
    }
    j->pos = at;
    return json_fail(j, msg);
}

/* Why a mount path is refused, or NULL: it must be what a clean absolute
 * path compares equal to, component by component, so that a lookup can
 * match it as a prefix. */
static const char *bad_mount_path(const char *p)
{
    if (p[0] != '/')
        return "the path is not absolute";
    if (p[1] == '\0')
        return "the path is \"/\", where the rootfs is";
    for (const char *c = p; *c;) {
        const char *s = ++c;
        while (*c && *c != '/')
            c++;
        size_t n = (size_t)(c - s);
        if (n == 0 || (n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
            return "the path is not clean (an empty, \".\" or \"..\" component, or a trailing '/')";
    }
    return NULL;
}

static bool printable(const char *s)
{
    for (; *s; s++) {
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return false;
    }
    return true;
}

static bool device_name(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > NB_MOUNT_DEVICE_MAX)
        return false;
    for (; *s; s++) {
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9')))
            return false;
    }
    return true;
}

/* Checks one entry's values (NULL: missing) against the mounts before it
 * and fills m with them. */
static bool check_mount(struct json *j, struct nb_arena *a, struct nb_config_mount *m,
                        const char *device, const char *path, const char *type,
                        const struct nb_config *c)
{
    const char *why;

    if (!device || !path || !type)
        return mount_fail(j, a, m, m->pos, "\"%s\" is missing (an entry is {\"device\":NAME,"
                          "\"path\":PATH,\"type\":\"iso9660\" or \"raw\"})",
                          !device ? "device" : !path ? "path" : "type");
    if (!printable(path))
        return mount_fail(j, a, m, m->pos, "the path holds a control character");
    m->path = path; /* one line: messages may name it from here on */
    if ((why = bad_mount_path(path)))
        return mount_fail(j, a, m, m->pos, "%s", why);
    for (size_t i = 0; i < m->index; i++) {
        if (strcmp(c->mounts[i].path, path) == 0)
            return mount_fail(j, a, m, m->pos, "the path is also \"mounts\"[%zu]'s", i);
    }
    if (!device_name(device))
        return mount_fail(j, a, m, m->pos, "the device is not a manifest name (1 to %d letters "
                          "and digits)", NB_MOUNT_DEVICE_MAX);
    m->device = device;
    if (strcmp(type, "iso9660") == 0)
        m->type = NB_MOUNT_ISO9660;
    else if (strcmp(type, "raw") == 0)
        m->type = NB_MOUNT_RAW;
    else
        return mount_fail(j, a, m, m->pos, "the type is neither \"iso9660\" nor \"raw\"");
    return true;
}

static bool parse_mount(struct json *j, struct nb_arena *a, struct nb_config_mount *m,
                        const struct nb_config *c)
{
    char *device = NULL, *path = NULL, *type = NULL;

    if (!json_eat(j, '{'))
        return mount_fail(j, a, m, m->pos, "the entry is not an object");
    if (!json_eat(j, '}')) {
        do {
            enum key k;
            json_peek(j);
            size_t at = j->pos;
            if (!read_key(j, a, mount_keys, sizeof(mount_keys) / sizeof(mount_keys[0]), &k))
                return false;
            if (k == K_OTHER)
                return mount_fail(j, a, m, at, "a key other than \"device\", \"path\" and "
                                  "\"type\"");
            const char *name = k == K_DEVICE ? "device" : k == K_PATH ? "path" : "type";
            if (json_peek(j) != '"')
                return mount_fail(j, a, m, j->pos, "\"%s\" must be a string", name);
            if (!cstring_value(j, a, "a \"mounts\" value must be a string",
                               k == K_DEVICE ? &device : k == K_PATH ? &path : &type))
                return false;
        } while (json_eat(j, ','));
        if (!json_expect(j, '}', "expected ',' or '}' in a \"mounts\" entry"))
            return false;
    }
    return check_mount(j, a, m, device, path, type, c);
}

/* "mounts": a repeated key replaces the list, in the same array. */
static bool parse_mounts(struct json *j, struct nb_arena *a, struct nb_config *c)
{
    c->nmounts = 0;
    if (!json_expect(j, '[', "\"mounts\" must be an array of objects"))
        return false;
    if (json_eat(j, ']'))
        return true;
    if (!c->mounts &&
        !(c->mounts = nb_arena_alloc(a, NB_MOUNTS_MAX * sizeof(*c->mounts),
                                     _Alignof(struct nb_config_mount))))
        return json_fail(j, no_room);
    do {
        struct nb_config_mount m = { .index = c->nmounts };
        json_peek(j);
        m.pos = j->pos;
        if (c->nmounts == NB_MOUNTS_MAX)
            return mount_fail(j, a, &m, m.pos, "one entry too many: at most %d, one per volume "
                              "slot", NB_MOUNTS_MAX);
        if (!parse_mount(j, a, &m, c))
            return false;
        c->mounts[c->nmounts++] = m;
    } while (json_eat(j, ','));
    return json_expect(j, ']', "expected ',' or ']' in \"mounts\"");
}

static bool parse_argv(struct json *j, struct nb_arena *a, struct list *argv)
{
    list_reset(argv);
    if (!json_expect(j, '[', "\"argv\" must be an array of strings"))
        return false;
    if (json_eat(j, ']'))
        return true;
    do {
        struct item *it = list_push(argv, a);
        if (!it)
            return json_fail(j, no_room);
        if (!cstring_value(j, a, "\"argv\" must be an array of strings", &it->s))
            return false;
    } while (json_eat(j, ','));
    return json_expect(j, ']', "expected ',' or ']' in \"argv\"");
}

static bool parse_env(struct json *j, struct nb_arena *a, struct list *env)
{
    size_t at = j->pos;
    struct item *it = list_push(env, a);
    if (!it)
        return json_fail(j, no_room);
    if (!cstring_value(j, a, "\"env\" must be a string", &it->s))
        return false;
    if (!strchr(it->s, '=') || it->s[0] == '=') {
        j->pos = at;
        return json_fail(j, "an \"env\" entry is not NAME=VALUE");
    }
    return true;
}

static bool parse_files(struct json *j, struct nb_arena *a, struct list *files)
{
    if (!json_expect(j, '{', "\"files\" must be an object of path: content"))
        return false;
    if (json_eat(j, '}'))
        return true;
    do {
        char *path, *data;
        size_t dlen, at = j->pos;
        if (!cstring_value(j, a, "expected a path in \"files\"", &path))
            return false;
        if (path[0] != '/') {
            j->pos = at;
            return json_fail(j, "a \"files\" path is not absolute");
        }
        if (!json_expect(j, ':', "expected ':' after a key") ||
            !string_value(j, a, "a \"files\" content must be a string", &data, &dlen))
            return false;
        struct item *it = files->head;
        while (it && strcmp(it->s, path) != 0)
            it = it->next;
        if (!it && !(it = list_push(files, a)))
            return json_fail(j, no_room);
        it->s = path;
        it->val = data;
        it->vlen = dlen;
    } while (json_eat(j, ','));
    return json_expect(j, '}', "expected ',' or '}' in \"files\"");
}

static char **to_array(const struct list *l, struct nb_arena *a)
{
    char **v = nb_arena_alloc(a, (l->n + 1) * sizeof(char *), _Alignof(char *));
    size_t i = 0;
    if (!v)
        return NULL;
    for (const struct item *it = l->head; it; it = it->next)
        v[i++] = it->s;
    v[i] = NULL;
    return v;
}

/* rumprun's split: spaces separate, runs of them count once, no quoting.
 * The words are cut in place. */
static char **split_cmdline(char *s, struct nb_arena *a, int *argc)
{
    size_t n = 0;
    for (char *p = s; *p; p++) {
        if (*p != ' ' && (p == s || p[-1] == ' '))
            n++;
    }
    char **v = nb_arena_alloc(a, (n + 1) * sizeof(char *), _Alignof(char *));
    if (!v)
        return NULL;
    n = 0;
    for (char *p = s; *p; p++) {
        if (*p == ' ')
            *p = '\0';
        else if (p == s || p[-1] == '\0')
            v[n++] = p;
    }
    v[n] = NULL;
    *argc = (int)n;
    return v;
}

static bool finish(struct json *j, struct nb_arena *a, struct nb_config *c, char *cmdline,
                   bool have_argv, const struct list *argv, const struct list *env,
                   const struct list *files)
{
    char empty[1] = "";

    if (have_argv) {
        c->argv = to_array(argv, a);
        c->argc = (int)argv->n;
    } else {
        c->argv_from_cmdline = true;
        c->argv = split_cmdline(cmdline ? cmdline : empty, a, &c->argc);
    }
    c->env = to_array(env, a);
    c->nenv = env->n;
    c->nfiles = files->n;
    c->files = nb_arena_alloc(a, (files->n + 1) * sizeof(*c->files), _Alignof(struct nb_config_file));
    if (!c->argv || !c->env || !c->files)
        return json_fail(j, no_room);
    size_t i = 0;
    for (const struct item *it = files->head; it; it = it->next, i++) {
        c->files[i].path = it->s;
        c->files[i].data = it->val;
        c->files[i].len = it->vlen;
    }
    return true;
}

bool nb_config_parse(const char *text, size_t len, struct nb_arena *a, struct nb_config *c,
                     struct json *j)
{
    struct list argv, env, files;
    char *cmdline = NULL, *cwd;
    bool have_argv = false, ok = true;
    enum key k;

    list_reset(&argv);
    list_reset(&env);
    list_reset(&files);
    memset(c, 0, sizeof(*c));
    c->cwd = "/";
    json_init(j, text, len);
    if (!json_expect(j, '{', "CONFIG must be a JSON object"))
        return false;
    if (!json_eat(j, '}')) {
        do {
            if (!read_key(j, a, top_keys, sizeof(top_keys) / sizeof(top_keys[0]), &k))
                return false;
            switch (k) {
            case K_CMDLINE:
                ok = cstring_value(j, a, "\"cmdline\" must be a string", &cmdline);
                break;
            case K_ARGV:
                ok = have_argv = parse_argv(j, a, &argv);
                break;
            case K_ENV:
                ok = parse_env(j, a, &env);
                break;
            case K_CWD:
                ok = cstring_value(j, a, "\"cwd\" must be a string", &cwd);
                if (ok)
                    c->cwd = cwd;
                break;
            case K_NET:
                ok = parse_net(j, a, c);
                break;
            case K_BLK:
                ok = c->has_blk = json_skip(j);
                break;
            case K_FILES:
                ok = parse_files(j, a, &files);
                break;
            case K_MOUNTS:
                ok = parse_mounts(j, a, c);
                break;
            default:
                ok = json_skip(j);
            }
            if (!ok)
                return false;
        } while (json_eat(j, ','));
        if (!json_expect(j, '}', "expected ',' or '}' in CONFIG"))
            return false;
    }
    return json_end(j) && finish(j, a, c, cmdline, have_argv, &argv, &env, &files);
}

const struct nb_config_file *nb_config_file(const struct nb_config *c, const char *path)
{
    for (size_t i = 0; i < c->nfiles; i++) {
        if (strcmp(c->files[i].path, path) == 0)
            return &c->files[i];
    }
    return NULL;
}
