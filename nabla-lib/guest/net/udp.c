/*
 * UDP (RFC 768): bound sockets with a short queue of received datagrams.
 */
#include "netpriv.h"

#define UDP_HLEN    8
#define UDP_SOCKS   8
#define UDP_QUEUE   16
#define UDP_MAX     (NET_MTU - IP_HLEN - UDP_HLEN)

struct udp_dgram {
    uint32_t addr;
    uint16_t port;
    uint16_t len;
    uint8_t data[UDP_MAX];
};

struct udp_sock {
    bool used;
    uint16_t port;
    unsigned head, count;    /* ring of received datagrams */
    struct udp_dgram q[UDP_QUEUE];
};

static struct udp_sock udp_socks[UDP_SOCKS];

static struct udp_sock *udp_find(uint16_t port)
{
    for (int i = 0; i < UDP_SOCKS; i++)
        if (udp_socks[i].used && udp_socks[i].port == port)
            return &udp_socks[i];
    return NULL;
}

struct udp_sock *udp_bind(uint16_t port)
{
    if (port == 0 || udp_find(port))
        return NULL;
    for (int i = 0; i < UDP_SOCKS; i++) {
        struct udp_sock *s = &udp_socks[i];
        if (!s->used) {
            s->used = true;
            s->port = port;
            s->head = s->count = 0;
            return s;
        }
    }
    return NULL;
}

void udp_close(struct udp_sock *s)
{
    s->used = false;
}

void udp_input(uint32_t src, const uint8_t *p, size_t len)
{
    if (len < UDP_HLEN)
        return;
    size_t ulen = get16(p + 4);
    if (ulen < UDP_HLEN || ulen > len)
        return;
    /* A zero checksum means the sender did not compute one. */
    if (get16(p + 6) != 0 &&
        csum_fold(csum_add(csum_pseudo(src, net_if.addr, IP_PROTO_UDP, (uint16_t)ulen), p, ulen)) != 0)
        return;
    struct udp_sock *s = udp_find(get16(p + 2));
    if (!s || s->count == UDP_QUEUE || ulen - UDP_HLEN > UDP_MAX)
        return;
    struct udp_dgram *d = &s->q[(s->head + s->count) % UDP_QUEUE];
    d->addr = src;
    d->port = get16(p);
    d->len = (uint16_t)(ulen - UDP_HLEN);
    memcpy(d->data, p + UDP_HLEN, d->len);
    s->count++;
}

long udp_recv(struct udp_sock *s, void *buf, size_t len, uint32_t *from_addr, uint16_t *from_port)
{
    if (s->count == 0)
        return -NB_EAGAIN;
    struct udp_dgram *d = &s->q[s->head];
    size_t n = d->len < len ? d->len : len;
    memcpy(buf, d->data, n);
    if (from_addr)
        *from_addr = d->addr;
    if (from_port)
        *from_port = d->port;
    s->head = (s->head + 1) % UDP_QUEUE;
    s->count--;
    return (long)n;
}

long udp_send(struct udp_sock *s, uint32_t addr, uint16_t port, const void *buf, size_t len)
{
    static uint8_t frame[NET_FRAME_MAX];

    if (len > (size_t)net_if.mtu - IP_HLEN - UDP_HLEN)
        return -NB_EMSGSIZE;
    uint8_t *u = frame + NET_L4_OFF;
    uint16_t ulen = (uint16_t)(UDP_HLEN + len);
    put16(u, s->port);
    put16(u + 2, port);
    put16(u + 4, ulen);
    put16(u + 6, 0);
    memcpy(u + UDP_HLEN, buf, len);
    uint16_t sum = csum_fold(csum_add(csum_pseudo(net_if.addr, addr, IP_PROTO_UDP, ulen), u, ulen));
    put16(u + 6, sum ? sum : 0xffff);
    int err = ip_send(addr, IP_PROTO_UDP, frame, ulen);
    return err ? err : (long)len;
}
