/*
 * ARP (RFC 826): answers requests for our address and resolves next hops
 * through a small cache. A frame waiting for resolution is kept (one per
 * next hop, the newest) and sent once the reply arrives.
 */
#include "netpriv.h"

#define ARP_ENTRIES  32
#define ARP_LEN      28
#define ARP_REQUEST  1
#define ARP_REPLY    2
#define ARP_TRIES    3
#define ARP_RETRY_NS (1 * NS_PER_SEC)
/* A resolved entry is trusted this long unless the peer refreshes it. */
#define ARP_TTL_NS   (60 * NS_PER_SEC)

enum arp_state { ARP_FREE, ARP_WAIT, ARP_OK };

struct arp_entry {
    enum arp_state state;
    uint32_t ip;
    uint8_t mac[6];
    uint8_t tries;
    uint64_t timer;        /* ARP_WAIT: next retry; ARP_OK: expiry */
    size_t pending_len;    /* 0: no frame waiting */
    uint8_t pending[NET_FRAME_MAX];
};

static struct arp_entry arp_cache[ARP_ENTRIES];
static const uint8_t arp_bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
static const uint8_t arp_zero[6];

static struct arp_entry *arp_find(uint32_t ip)
{
    for (int i = 0; i < ARP_ENTRIES; i++)
        if (arp_cache[i].state != ARP_FREE && arp_cache[i].ip == ip)
            return &arp_cache[i];
    return NULL;
}

/* A free entry, else the resolved one closest to expiry, else the
 * resolution that has waited longest: spoofed traffic that makes us
 * resolve many addresses must not lock out the peers that answer. */
static struct arp_entry *arp_alloc(uint32_t ip)
{
    struct arp_entry *ok = NULL, *wait = NULL, *victim = NULL;

    for (int i = 0; i < ARP_ENTRIES && !victim; i++) {
        struct arp_entry *e = &arp_cache[i];
        if (e->state == ARP_FREE)
            victim = e;
        else if (e->state == ARP_OK && (!ok || e->timer < ok->timer))
            ok = e;
        else if (e->state == ARP_WAIT && (!wait || e->timer < wait->timer))
            wait = e;
    }
    if (!victim)
        victim = ok ? ok : wait;
    victim->state = ARP_WAIT;
    victim->ip = ip;
    victim->tries = 0;
    victim->pending_len = 0;
    return victim;
}

static void arp_send(uint16_t op, const uint8_t *eth_dst, const uint8_t *tha, uint32_t tpa)
{
    uint8_t frame[ETH_HLEN + ARP_LEN];
    uint8_t *a = frame + ETH_HLEN;

    put16(a, 1);                /* Ethernet */
    put16(a + 2, ETH_TYPE_IP);
    a[4] = 6;
    a[5] = 4;
    put16(a + 6, op);
    memcpy(a + 8, net_if.mac, 6);
    put32(a + 14, net_if.addr);
    memcpy(a + 18, tha, 6);
    put32(a + 24, tpa);
    eth_send(eth_dst, ETH_TYPE_ARP, frame, sizeof frame);
}

static void arp_request(uint32_t ip)
{
    arp_send(ARP_REQUEST, arp_bcast, arp_zero, ip);
}

static void arp_resolved(struct arp_entry *e, const uint8_t *mac)
{
    memcpy(e->mac, mac, 6);
    e->state = ARP_OK;
    e->timer = nb_clock_monotonic() + ARP_TTL_NS;
    if (e->pending_len) {
        eth_send(e->mac, ETH_TYPE_IP, e->pending, e->pending_len);
        e->pending_len = 0;
    }
}

void arp_input(const uint8_t *p, size_t len)
{
    if (len < ARP_LEN || get16(p) != 1 || get16(p + 2) != ETH_TYPE_IP || p[4] != 6 || p[5] != 4)
        return;
    uint16_t op = get16(p + 6);
    const uint8_t *sha = p + 8;
    uint32_t spa = get32(p + 14);
    uint32_t tpa = get32(p + 24);

    /* Ignore probes (sender 0.0.0.0), our own address, and senders that
     * claim a broadcast or multicast MAC. */
    if (spa == 0 || spa == net_if.addr || (sha[0] & 1))
        return;
    /* RFC 826: refresh what we know; learn the sender only if it talks to us. */
    struct arp_entry *e = arp_find(spa);
    if (!e && tpa == net_if.addr)
        e = arp_alloc(spa);
    if (e)
        arp_resolved(e, sha);
    if (op == ARP_REQUEST && tpa == net_if.addr)
        arp_send(ARP_REPLY, sha, sha, spa);
}

void arp_send_ip(uint32_t nexthop, uint8_t *frame, size_t len)
{
    struct arp_entry *e = arp_find(nexthop);

    if (e && e->state == ARP_OK) {
        eth_send(e->mac, ETH_TYPE_IP, frame, len);
        return;
    }
    if (!e) {
        e = arp_alloc(nexthop);
        arp_request(nexthop);
        e->timer = nb_clock_monotonic() + ARP_RETRY_NS;
    }
    if (len <= sizeof e->pending) {
        memcpy(e->pending, frame, len);
        e->pending_len = len;
    }
}

void arp_timers(uint64_t now)
{
    for (int i = 0; i < ARP_ENTRIES; i++) {
        struct arp_entry *e = &arp_cache[i];
        if (e->state == ARP_FREE || e->timer > now)
            continue;
        if (e->state == ARP_OK || ++e->tries >= ARP_TRIES) {
            e->state = ARP_FREE;
            continue;
        }
        arp_request(e->ip);
        e->timer = now + ARP_RETRY_NS;
    }
}

uint64_t arp_next_timer(void)
{
    uint64_t next = UINT64_MAX;

    for (int i = 0; i < ARP_ENTRIES; i++)
        if (arp_cache[i].state != ARP_FREE && arp_cache[i].timer < next)
            next = arp_cache[i].timer;
    return next;
}

/* Announce our address once at start (gratuitous ARP), so bridges and
 * neighbours learn where we are before the first request. */
void arp_announce(void)
{
    arp_send(ARP_REQUEST, arp_bcast, arp_zero, net_if.addr);
}
