/*
 * IPv4 (RFC 791): validates what arrives for our address, routes and
 * frames what we send. No fragmentation: fragments are dropped and we send
 * with DF, so TCP's MSS and UDP's size limit keep packets within the MTU.
 */
#include "netpriv.h"

#define IP_DF      0x4000
#define IP_FRAG    0x3fff  /* MF flag and fragment offset */
#define IP_TTL     64

static uint16_t ip_id;

uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
    uint64_t s = sum;

    while (len >= 2) {
        s += get16(p);
        p += 2;
        len -= 2;
    }
    if (len)
        s += (uint32_t)p[0] << 8;
    while (s >> 32)
        s = (s & 0xffffffff) + (s >> 32);
    return (uint32_t)s;
}

uint16_t csum_fold(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

uint32_t csum_pseudo(uint32_t src, uint32_t dst, uint8_t proto, uint16_t len)
{
    uint64_t s = (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff) + proto + len;
    return (uint32_t)s;
}

/* Peers inside our prefix are on-link; so is the gateway even when it is
 * outside the prefix (a /32 address with a gateway on the same wire). */
bool ip_route(uint32_t dst, uint32_t *nexthop)
{
    if ((net_if.gw && dst == net_if.gw) || ((dst ^ net_if.addr) & net_if.mask) == 0) {
        *nexthop = dst;
        return true;
    }
    if (!net_if.gw)
        return false;
    *nexthop = net_if.gw;
    return true;
}

void ip_input(const uint8_t *p, size_t len)
{
    if (len < IP_HLEN || (p[0] >> 4) != 4)
        return;
    size_t hlen = (size_t)(p[0] & 0x0f) * 4;
    size_t total = get16(p + 2);
    /* total bounds the payload: Ethernet may have padded the frame. */
    if (hlen < IP_HLEN || total < hlen || total > len)
        return;
    if (csum_fold(csum_add(0, p, hlen)) != 0)
        return;
    if (get16(p + 6) & IP_FRAG)
        return;
    uint32_t src = get32(p + 12);
    uint32_t dst = get32(p + 16);
    /* Only unicast to us, from a plausible unicast source. */
    if (dst != net_if.addr || src == 0 || src == net_if.addr || src >= 0xe0000000u || p[8] == 0)
        return;
    const uint8_t *payload = p + hlen;
    size_t plen = total - hlen;
    switch (p[9]) {
    case IP_PROTO_ICMP:
        icmp_input(src, payload, plen);
        break;
    case IP_PROTO_UDP:
        udp_input(src, payload, plen);
        break;
    case IP_PROTO_TCP:
        tcp_input(src, payload, plen);
        break;
    }
}

int ip_send(uint32_t dst, uint8_t proto, uint8_t *frame, size_t len)
{
    uint32_t nexthop;

    if (len > (size_t)net_if.mtu - IP_HLEN)
        return -NB_EMSGSIZE;
    if (!ip_route(dst, &nexthop))
        return -NB_EHOSTUNREACH;
    uint8_t *h = frame + ETH_HLEN;
    h[0] = 0x45;
    h[1] = 0;
    put16(h + 2, (uint16_t)(IP_HLEN + len));
    put16(h + 4, ip_id++);
    put16(h + 6, IP_DF);
    h[8] = IP_TTL;
    h[9] = proto;
    put16(h + 10, 0);
    put32(h + 12, net_if.addr);
    put32(h + 16, dst);
    put16(h + 10, csum_fold(csum_add(0, h, IP_HLEN)));
    arp_send_ip(nexthop, frame, NET_L4_OFF + len);
    return 0;
}
