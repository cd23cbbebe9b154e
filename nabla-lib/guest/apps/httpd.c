/*
 * httpd: a static HTTP/1.1 file server for the files of the container's
 * ISO rootfs. GET and HEAD, keep-alive, bodies streamed from the disk as
 * the peer's window opens, so a file of any size needs no more memory
 * than one chunk. Listens on port 80; argv "port=N" overrides.
 */
#include "nabla_net.h"

NB_MANIFEST(NB_NET(NB_NET_NAME), NB_BLOCK(NB_BLOCK_NAME));

#define MAX_CLIENTS   128
#define REQ_MAX       4096
#define CHUNK         16384
#define IDLE_NS       (30ull * 1000000000ull)
/* Longest sleep, so idle clients are noticed. */
#define POLL_NS       1000000000ull

enum client_state { FREE, READING, SENDING };

struct client {
    enum client_state state;
    struct tcp_conn *tc;
    uint64_t last_active;
    bool keep_alive;
    size_t req_len;             /* bytes in req */
    size_t req_used;            /* bytes of req the current request spans */
    char req[REQ_MAX + 1];
    size_t head_len, head_off;  /* response header still to send */
    char head[512];
    struct nb_file file;
    uint64_t body_off, body_end;
};

static struct client clients[MAX_CLIENTS];
static uint8_t chunk[CHUNK];

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Case-insensitive prefix test of s against the lower-case word w. */
static bool starts_with_ci(const char *s, const char *w)
{
    for (; *w; s++, w++)
        if (lower(*s) != *w)
            return false;
    return true;
}

static const char *content_type(const char *path)
{
    static const struct { const char *ext, *type; } types[] = {
        {".html", "text/html"}, {".htm", "text/html"}, {".txt", "text/plain"},
        {".css", "text/css"}, {".js", "application/javascript"}, {".json", "application/json"},
        {".png", "image/png"}, {".jpg", "image/jpeg"}, {".gif", "image/gif"},
        {".svg", "image/svg+xml"},
    };
    size_t n = strlen(path);
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        size_t e = strlen(types[i].ext);
        if (n >= e && strcmp(path + n - e, types[i].ext) == 0)
            return types[i].type;
    }
    return "application/octet-stream";
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = lower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Decodes the request target into an absolute ISO path; false if it is
 * malformed or tries to climb out with "..". */
static bool target_to_path(const char *t, size_t tlen, char *path, size_t size)
{
    size_t n = 0;

    if (tlen == 0 || t[0] != '/')
        return false;
    for (size_t i = 0; i < tlen && t[i] != '?' && t[i] != '#'; i++) {
        char c = t[i];
        if (c == '%') {
            if (i + 2 >= tlen || hexval(t[i + 1]) < 0 || hexval(t[i + 2]) < 0)
                return false;
            c = (char)(hexval(t[i + 1]) * 16 + hexval(t[i + 2]));
            i += 2;
        }
        if (c == '\0' || n + 1 >= size)
            return false;
        path[n++] = c;
    }
    path[n] = '\0';
    for (const char *s = path; (s = strchr(s, '/')); s++)
        if (s[1] == '.' && s[2] == '.' && (s[3] == '/' || s[3] == '\0'))
            return false;
    if (path[n - 1] == '/') {
        const char *index = "index.html";
        if (n + strlen(index) >= size)
            return false;
        memcpy(path + n, index, strlen(index) + 1);
    }
    return true;
}

static void respond(struct client *c, int status, const char *reason, const char *type,
                    uint64_t length, const char *body)
{
    c->head_len = (size_t)nb_snprintf(c->head, sizeof c->head,
        "HTTP/1.1 %d %s\r\nServer: nabla-httpd\r\nContent-Type: %s\r\n"
        "Content-Length: %llu\r\nConnection: %s\r\n\r\n%s",
        status, reason, type, (unsigned long long)length,
        c->keep_alive ? "keep-alive" : "close", body ? body : "");
    if (c->head_len >= sizeof c->head)
        c->head_len = sizeof c->head - 1;
    c->head_off = 0;
    c->body_off = c->body_end = 0;
    c->state = SENDING;
}

static void respond_error(struct client *c, int status, const char *reason)
{
    char body[64];

    /* After a request we could not parse, where the next one starts is
     * unknown: close the connection. */
    if (status == 400 || status == 431)
        c->keep_alive = false;
    int n = nb_snprintf(body, sizeof body, "%d %s\n", status, reason);
    respond(c, status, reason, "text/plain", (uint64_t)n, body);
}

/* Parses the request in c->req[0..end) and sets up the response. */
static void handle_request(struct client *c, size_t end)
{
    char *line_end = c->req;
    while (*line_end != '\r' && *line_end != '\n')
        line_end++;
    char *sp1 = c->req;
    while (sp1 < line_end && *sp1 != ' ')
        sp1++;
    char *target = sp1 + 1;
    char *sp2 = target;
    while (sp2 < line_end && *sp2 != ' ')
        sp2++;
    c->req_used = end;
    c->keep_alive = false;
    if (sp1 >= line_end || sp2 >= line_end || line_end - (sp2 + 1) != 8 ||
        strncmp(sp2 + 1, "HTTP/1.", 7) != 0) {
        respond_error(c, 400, "Bad Request");
        return;
    }
    /* HTTP/1.1 keeps the connection unless asked not to; 1.0 closes. */
    c->keep_alive = sp2[8] == '1';
    for (char *h = line_end + 1; h < c->req + end; h++) {
        if (h[-1] == '\n' && starts_with_ci(h, "connection:")) {
            char *v = h + 11;
            while (*v == ' ' || *v == '\t')
                v++;
            if (starts_with_ci(v, "close"))
                c->keep_alive = false;
            else if (starts_with_ci(v, "keep-alive"))
                c->keep_alive = true;
        }
    }
    size_t mlen = (size_t)(sp1 - c->req);
    bool head = mlen == 4 && strncmp(c->req, "HEAD", 4) == 0;
    if (!head && !(mlen == 3 && strncmp(c->req, "GET", 3) == 0)) {
        respond_error(c, 405, "Method Not Allowed");
        return;
    }
    char path[256];
    if (!target_to_path(target, (size_t)(sp2 - target), path, sizeof path)) {
        respond_error(c, 400, "Bad Request");
        return;
    }
    if (nb_iso_lookup(path, &c->file) != 0 || c->file.is_dir) {
        respond_error(c, 404, "Not Found");
        return;
    }
    respond(c, 200, "OK", content_type(path), c->file.size, NULL);
    if (!head)
        c->body_end = c->file.size;
}

static void client_close(struct client *c)
{
    tcp_close(c->tc);
    c->state = FREE;
}

/* Looks for a complete request head in what has arrived. */
static void try_parse(struct client *c)
{
    c->req[c->req_len] = '\0';
    for (size_t i = 0; i + 1 < c->req_len; i++) {
        if (c->req[i] == '\n' && (c->req[i + 1] == '\n' ||
                                  (c->req[i + 1] == '\r' && i + 2 < c->req_len && c->req[i + 2] == '\n'))) {
            handle_request(c, i + (c->req[i + 1] == '\n' ? 2 : 3));
            return;
        }
    }
    if (c->req_len == REQ_MAX) {
        c->req_used = c->req_len;
        respond_error(c, 431, "Request Header Fields Too Large");
    }
}

/* Moves one client forward as far as it can go now; true if it did anything. */
static bool client_step(struct client *c, uint64_t now)
{
    bool progress = false;

    if (c->state == READING) {
        long n = tcp_recv(c->tc, c->req + c->req_len, REQ_MAX - c->req_len);
        if (n == -NB_EAGAIN && now - c->last_active > IDLE_NS) {
            client_close(c);
            return true;
        }
        if (n == -NB_EAGAIN && c->req_len == 0)
            return false;
        if (n == 0 || (n < 0 && n != -NB_EAGAIN)) {
            client_close(c);
            return true;
        }
        if (n > 0) {
            c->req_len += (size_t)n;
            c->last_active = now;
            progress = true;
        }
        try_parse(c);
    }
    if (c->state != SENDING)
        return progress;
    if (c->head_off < c->head_len) {
        long n = tcp_send(c->tc, c->head + c->head_off, c->head_len - c->head_off);
        if (n < 0 && n != -NB_EAGAIN) {
            client_close(c);
            return true;
        }
        if (n > 0) {
            c->head_off += (size_t)n;
            progress = true;
        }
    }
    while (c->head_off == c->head_len && c->body_off < c->body_end) {
        uint64_t left = c->body_end - c->body_off;
        size_t want = left < CHUNK ? (size_t)left : CHUNK;
        /* Read from disk only what the send buffer can take at once. */
        if (tcp_send_space(c->tc) < want)
            break;
        long got = nb_iso_read(&c->file, c->body_off, chunk, want);
        if (got <= 0) {
            client_close(c);
            return true;
        }
        tcp_send(c->tc, chunk, (size_t)got);
        c->body_off += (uint64_t)got;
        progress = true;
    }
    if (c->head_off == c->head_len && c->body_off == c->body_end) {
        if (!c->keep_alive) {
            client_close(c);
            return true;
        }
        /* Keep what a pipelining client sent after this request. */
        memmove(c->req, c->req + c->req_used, c->req_len - c->req_used);
        c->req_len -= c->req_used;
        c->state = READING;
        progress = true;
    }
    if (progress) {
        c->last_active = now;
    } else if (tcp_error(c->tc) || now - c->last_active > IDLE_NS) {
        /* A dead peer, or one that stopped reading (a window closed for
         * good), must not hold the slot. */
        client_close(c);
        return true;
    }
    return progress;
}

int main(int argc, char **argv)
{
    uint16_t port = nb_net_port_arg(argc, argv, 80);

    if (nb_net_init() != 0) {
        nb_printf("httpd: no network: give the container an address\n");
        return 1;
    }
    struct tcp_listener *l = tcp_listen(port, MAX_CLIENTS);
    if (!l) {
        nb_printf("httpd: cannot listen on port %u\n", port);
        return 1;
    }
    uint32_t a = nb_net_addr();
    nb_printf("httpd: serving on %u.%u.%u.%u:%u\n", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255, port);
    for (;;) {
        uint64_t now = nb_clock_monotonic();
        bool busy = false, backlog = true;
        for (int i = 0; i < MAX_CLIENTS; i++) {
            struct client *c = &clients[i];
            if (c->state == FREE) {
                c->tc = backlog ? tcp_accept(l) : NULL;
                backlog = c->tc != NULL;
                if (!c->tc)
                    continue;
                c->state = READING;
                c->req_len = 0;
                c->last_active = now;
            }
            busy |= client_step(c, now);
        }
        /* Progress may have unblocked more: only sleep once nothing moves. */
        nb_net_poll(busy ? 0 : now + POLL_NS);
    }
}
