/*
 * Shared between the stack's protocol files only: the interface state,
 * byte-order and checksum helpers and each layer's entry points.
 */
#ifndef NABLA_NETPRIV_H
#define NABLA_NETPRIV_H

#include "nabla_net.h"

#define ETH_HLEN      14
#define ETH_TYPE_IP   0x0800
#define ETH_TYPE_ARP  0x0806
#define IP_HLEN       20
#define IP_PROTO_ICMP 1
#define IP_PROTO_TCP  6
#define IP_PROTO_UDP  17
/* Frames we build never exceed a standard Ethernet frame. */
#define NET_MTU       1500
#define NET_FRAME_MAX (ETH_HLEN + NET_MTU)
/* Where a transport header starts inside a frame we build. */
#define NET_L4_OFF    (ETH_HLEN + IP_HLEN)

#define NS_PER_MS     1000000ull
#define NS_PER_SEC    1000000000ull

struct net_if {
    uint8_t mac[6];
    uint32_t addr, mask, gw;    /* host byte order */
    uint16_t mtu;               /* IP MTU, at most NET_MTU */
    bool up;
};
extern struct net_if net_if;

static inline uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static inline uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static inline void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);  p[3] = (uint8_t)v;
}

/* Internet checksum (RFC 1071): accumulate, then fold and complement. */
uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t len);
uint16_t csum_fold(uint32_t sum);
uint32_t csum_pseudo(uint32_t src, uint32_t dst, uint8_t proto, uint16_t len);

/* eth.c: frame is a whole frame; bytes 0..13 are filled in here. */
void eth_send(const uint8_t dst[6], uint16_t type, uint8_t *frame, size_t len);

/* arp.c */
void arp_input(const uint8_t *p, size_t len);
void arp_announce(void);
void arp_send_ip(uint32_t nexthop, uint8_t *frame, size_t len);
void arp_timers(uint64_t now);
uint64_t arp_next_timer(void);

/* ip.c: the payload (len bytes) is already at frame + NET_L4_OFF. */
void ip_input(const uint8_t *p, size_t len);
int ip_send(uint32_t dst, uint8_t proto, uint8_t *frame, size_t len);
bool ip_route(uint32_t dst, uint32_t *nexthop);

/* icmp.c, udp.c, tcp.c: p is the transport header, len bounded by IP. */
void icmp_input(uint32_t src, const uint8_t *p, size_t len);
void udp_input(uint32_t src, const uint8_t *p, size_t len);
void tcp_input(uint32_t src, const uint8_t *p, size_t len);
void tcp_timers(uint64_t now);
uint64_t tcp_next_timer(void);
void tcp_flush(void);

#endif
