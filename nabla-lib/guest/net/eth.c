/*
 * Ethernet framing, the interface's configuration and the poll loop that
 * drives every protocol.
 */
#include "netpriv.h"

struct net_if net_if;

static const uint8_t eth_broadcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
/* Larger than any frame the tap hands us at its default MTU, so a frame
 * is never silently truncated: one that does not fit is dropped whole. */
static uint8_t rx_frame[16384];
/* Frames handled per poll: enough to drain a burst, few enough that the
 * application gets to answer in between. */
#define POLL_BATCH 128

int nb_net_init(void)
{
    struct nb_net_config cfg;

    if (!nb_net_present() || !nb_net_config(&cfg) || cfg.addr == 0 || cfg.prefix > 32)
        return -NB_ENETDOWN;
    memcpy(net_if.mac, nb_net_mac(), 6);
    net_if.addr = cfg.addr;
    net_if.mask = cfg.prefix == 0 ? 0 : ~(uint32_t)0 << (32 - cfg.prefix);
    net_if.gw = cfg.gw;
    net_if.mtu = NET_MTU;
    if (nb_net_mtu() >= 576 && nb_net_mtu() < NET_MTU)
        net_if.mtu = (uint16_t)nb_net_mtu();
    net_if.up = true;
    arp_announce();
    return 0;
}

uint32_t nb_net_addr(void)
{
    return net_if.addr;
}

uint16_t nb_net_port_arg(int argc, char **argv, uint16_t def)
{
    uint16_t port = def;
    for (int i = 1; i < argc; i++)
        if (strncmp(argv[i], "port=", 5) == 0) {
            long p = nb_atol(argv[i] + 5);
            if (p > 0 && p < 65536)
                port = (uint16_t)p;
        }
    return port;
}

void eth_send(const uint8_t dst[6], uint16_t type, uint8_t *frame, size_t len)
{
    memcpy(frame, dst, 6);
    memcpy(frame + 6, net_if.mac, 6);
    put16(frame + 12, type);
    /* A full tap queue drops the frame, as a busy wire would: the
     * protocols above retransmit. */
    nb_net_write(frame, len);
}

static void eth_input(const uint8_t *p, size_t len)
{
    if (len < ETH_HLEN)
        return;
    if (memcmp(p, net_if.mac, 6) != 0 && memcmp(p, eth_broadcast, 6) != 0)
        return;
    switch (get16(p + 12)) {
    case ETH_TYPE_IP:
        ip_input(p + ETH_HLEN, len - ETH_HLEN);
        break;
    case ETH_TYPE_ARP:
        arp_input(p + ETH_HLEN, len - ETH_HLEN);
        break;
    }
}

static uint64_t min64(uint64_t a, uint64_t b)
{
    return a < b ? a : b;
}

void nb_net_poll(uint64_t deadline_ns)
{
    if (!net_if.up) {
        nb_yield(deadline_ns);
        return;
    }
    /* What the application queued since the last poll goes out first, so
     * its data carries the ACKs the stack owes (a cheap delayed ACK). */
    tcp_flush();
    nb_yield(min64(deadline_ns, min64(arp_next_timer(), tcp_next_timer())));
    /* Read even if nb_yield reported a timeout: a step with a past
     * deadline must still see frames that are already queued. */
    for (int i = 0; i < POLL_BATCH; i++) {
        long n = nb_net_read(rx_frame, sizeof rx_frame);
        if (n <= 0)
            break;
        if ((size_t)n < sizeof rx_frame)
            eth_input(rx_frame, (size_t)n);
    }
    uint64_t now = nb_clock_monotonic();
    arp_timers(now);
    tcp_timers(now);
}

