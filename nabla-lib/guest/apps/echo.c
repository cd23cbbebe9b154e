/*
 * echo: RFC 862 echo over UDP and TCP on one port (argv "port=N",
 * default 7). A TCP client that does not read its echo stops being read
 * (back-pressure) rather than making us buffer without bound.
 */
#include "nabla_net.h"

NB_MANIFEST(NB_NET(NB_NET_NAME));

#define MAX_CLIENTS 64
#define BUF         4096
#define POLL_NS     1000000000ull

struct client {
    struct tcp_conn *tc;
    size_t len, off;            /* buf[off..len) still to echo */
    uint8_t buf[BUF];
};

static struct client clients[MAX_CLIENTS];

static bool echo_udp(struct udp_sock *u)
{
    static uint8_t dgram[1500];
    uint32_t addr;
    uint16_t port;
    bool progress = false;
    long n;

    while ((n = udp_recv(u, dgram, sizeof dgram, &addr, &port)) >= 0) {
        udp_send(u, addr, port, dgram, (size_t)n);
        progress = true;
    }
    return progress;
}

/* Echoes what it can; false once the client is gone. */
static bool echo_tcp(struct client *c, bool *progress)
{
    for (;;) {
        if (c->off < c->len) {
            long n = tcp_send(c->tc, c->buf + c->off, c->len - c->off);
            if (n == -NB_EAGAIN)
                return true;
            if (n < 0)
                return false;
            c->off += (size_t)n;
            *progress = true;
            continue;
        }
        long n = tcp_recv(c->tc, c->buf, BUF);
        if (n == -NB_EAGAIN)
            return true;
        if (n <= 0)
            return false;   /* FIN after everything was echoed, or an error */
        c->len = (size_t)n;
        c->off = 0;
        *progress = true;
    }
}

int main(int argc, char **argv)
{
    uint16_t port = nb_net_port_arg(argc, argv, 7);

    if (nb_net_init() != 0) {
        nb_printf("echo: no network: give the container an address\n");
        return 1;
    }
    struct udp_sock *u = udp_bind(port);
    struct tcp_listener *l = tcp_listen(port, MAX_CLIENTS);
    if (!u || !l) {
        nb_printf("echo: cannot bind port %u\n", port);
        return 1;
    }
    uint32_t a = nb_net_addr();
    nb_printf("echo: listening on %u.%u.%u.%u:%u (tcp and udp)\n",
              a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255, port);
    for (;;) {
        bool busy = echo_udp(u), backlog = true;
        for (int i = 0; i < MAX_CLIENTS; i++) {
            struct client *c = &clients[i];
            if (!c->tc) {
                c->tc = backlog ? tcp_accept(l) : NULL;
                backlog = c->tc != NULL;
                c->len = c->off = 0;
                if (!c->tc)
                    continue;
            }
            if (!echo_tcp(c, &busy)) {
                tcp_close(c->tc);
                c->tc = NULL;
                busy = true;
            }
        }
        nb_net_poll(busy ? 0 : nb_clock_monotonic() + POLL_NS);
    }
}
