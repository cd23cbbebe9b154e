/*
 * libFuzzer target for the guest network stack: the input is a sequence of
 * frames (2-byte big-endian length, then the bytes) fed to the stack as if
 * read from the tap, with a TCP listener and a UDP socket whose application
 * echoes and closes, and a clock that jumps so every timer path runs. The
 * stack's own files are compiled for the host with the C library's mem*;
 * the SDK calls they make are the fakes below. State carries over from one
 * input to the next, as in a long-running guest. A mode bit has the
 * harness fix the IPv4 and transport checksums first, so mutations get
 * past the checksum checks into the parsers and the state machines.
 */
#include <stdlib.h>
#include <string.h>

#include "../netpriv.h"

static const uint8_t *next_frame;
static size_t next_len;
static uint64_t fake_now = 1000000000ull;
static const uint8_t mac[6] = {0x02, 0, 0, 0, 0, 0x02};

bool nb_net_present(void) { return true; }
const uint8_t *nb_net_mac(void) { return mac; }
uint32_t nb_net_mtu(void) { return 1500; }
uint64_t nb_clock_monotonic(void) { return fake_now; }
bool nb_yield(uint64_t deadline_ns) { (void)deadline_ns; return next_frame != NULL; }
void *nb_malloc(size_t n) { return malloc(n); }
long nb_atol(const char *s) { return atol(s); }

bool nb_net_config(struct nb_net_config *out)
{
    out->addr = 0x0a000002;     /* 10.0.0.2/24 via 10.0.0.1 */
    out->prefix = 24;
    out->gw = 0x0a000001;
    return true;
}

static volatile uint8_t sink;

long nb_net_write(const void *frame, size_t len)
{
    /* Touch every byte so ASan sees what the stack sends. */
    for (size_t i = 0; i < len; i++)
        sink ^= ((const uint8_t *)frame)[i];
    return (long)len;
}

long nb_net_read(void *frame, size_t len)
{
    if (!next_frame)
        return -NB_EAGAIN;
    size_t n = next_len < len ? next_len : len;
    memcpy(frame, next_frame, n);
    next_frame = NULL;
    return (long)n;
}

/* Recomputes the IPv4 header checksum and the TCP, UDP or ICMP one where
 * the lengths in the frame allow it. */
static void fix_checksums(uint8_t *f, size_t len)
{
    if (len < ETH_HLEN + IP_HLEN || get16(f + 12) != ETH_TYPE_IP)
        return;
    uint8_t *ip = f + ETH_HLEN;
    size_t hl = (size_t)(ip[0] & 15) * 4, tot = get16(ip + 2);
    if (hl < IP_HLEN || ETH_HLEN + hl > len)
        return;
    put16(ip + 10, 0);
    put16(ip + 10, csum_fold(csum_add(0, ip, hl)));
    if (tot < hl || ETH_HLEN + tot > len)
        return;
    uint8_t *l4 = ip + hl;
    uint16_t l4len = (uint16_t)(tot - hl);
    uint32_t pseudo = csum_pseudo(get32(ip + 12), get32(ip + 16), ip[9], l4len);
    size_t at;
    switch (ip[9]) {
    case IP_PROTO_TCP: at = 16; break;
    case IP_PROTO_UDP: at = 6; break;
    case IP_PROTO_ICMP: at = 2; pseudo = 0; break;
    default: return;
    }
    if (l4len < at + 2)
        return;
    put16(l4 + at, 0);
    put16(l4 + at, csum_fold(csum_add(pseudo, l4, l4len)));
}

#define CONNS 8
static struct tcp_listener *listener;
static struct udp_sock *udp;
static struct tcp_conn *conns[CONNS];

/* What an application does between polls: accept, echo, close at EOF. */
static void app_step(uint8_t mode)
{
    uint8_t buf[2048];
    uint32_t addr;
    uint16_t port;
    long n;

    while ((n = udp_recv(udp, buf, sizeof buf, &addr, &port)) >= 0)
        udp_send(udp, addr, port, buf, (size_t)n);
    for (int i = 0; i < CONNS; i++) {
        if (!conns[i])
            conns[i] = tcp_accept(listener);
        if (!conns[i])
            continue;
        n = tcp_recv(conns[i], buf, mode & 1 ? 7 : sizeof buf);
        if (n > 0) {
            tcp_send(conns[i], buf, (size_t)n);
        } else if (n != -NB_EAGAIN || (mode & 6) == 6) {
            if (mode & 8)
                tcp_abort(conns[i]);
            else
                tcp_close(conns[i]);
            conns[i] = NULL;
        }
    }
}

/* Each record: the frame's length (2 bytes), a mode byte, the frame. The
 * mode picks what the application and the clock do after the frame: bit 0
 * small reads, bits 1-3 close or abort, bit 6 fix checksums, bits 4-7 how
 * far the clock jumps. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!listener) {
        nb_net_init();
        listener = tcp_listen(80, 4);
        udp = udp_bind(7);
    }
    while (size >= 3) {
        size_t len = (size_t)data[0] << 8 | data[1];
        uint8_t mode = data[2];
        data += 3;
        size -= 3;
        if (len > size)
            len = size;
        /* The frame gets its own allocation so ASan catches reads past it. */
        uint8_t *frame = malloc(len ? len : 1);
        memcpy(frame, data, len);
        if (mode & 0x40)
            fix_checksums(frame, len);
        next_frame = frame;
        next_len = len;
        nb_net_poll(fake_now);
        free(frame);
        next_frame = NULL;
        data += len;
        size -= len;
        app_step(mode);
        /* Sometimes let time pass: retransmissions, ARP retries, TIME_WAIT. */
        fake_now += (uint64_t)(mode >> 4) * (mode & 0x80 ? 1000000000ull : 50000000ull);
        nb_net_poll(fake_now);
    }
    return 0;
}
