/*
 * TCP (RFC 9293), server side: passive open, in-order receive (segments
 * after a gap are dropped and the gap re-ACKed), retransmission of our own
 * data on an RFC 6298 timer with backoff (go-back-N), slow start and
 * congestion avoidance (RFC 5681), fast retransmit and NewReno recovery
 * (RFC 6582) with limited transmit (RFC 3042), zero-window probes, both
 * closes, RST for segments nobody owns, RFC 5961 checks on RST and SYN,
 * and a short TIME_WAIT. No window scaling, SACK or timestamps: we never
 * offer them, so the peer does not use them either.
 *
 * Sequence numbers wrap: they are only ever compared with the SEQ_* macros.
 */
#include "netpriv.h"

#define TCP_HLEN        20
#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_PSH 0x08
#define TCP_ACK 0x10

#define SEQ_LT(a, b)  ((int32_t)((uint32_t)(a) - (uint32_t)(b)) < 0)
#define SEQ_LEQ(a, b) ((int32_t)((uint32_t)(a) - (uint32_t)(b)) <= 0)
#define SEQ_GT(a, b)  SEQ_LT(b, a)
#define SEQ_GEQ(a, b) SEQ_LEQ(b, a)

#define TCP_CONNS       256
#define TCP_LISTENERS   8
#define TCP_SNDBUF      (64 * 1024)     /* powers of two: ring indexes wrap by mask */
#define TCP_RCVBUF      (32 * 1024)
#define TCP_DEFAULT_MSS 536             /* RFC 9293 when the peer sends no MSS option */
#define TCP_RTO_INIT    (1 * NS_PER_SEC)
#define TCP_RTO_MIN     (200 * NS_PER_MS)
#define TCP_RTO_MAX     (30 * NS_PER_SEC)
#define TCP_SYN_TRIES   5
#define TCP_DATA_TRIES  10
/* TIME_WAIT is short: we only need to catch the peer's retransmitted FIN. */
#define TCP_TIME_WAIT_NS  (2 * NS_PER_SEC)
/* A peer that never sends its FIN must not hold a slot forever. */
#define TCP_FIN_WAIT_2_NS (30 * NS_PER_SEC)

enum tcp_state {
    TCP_FREE, TCP_SYN_RCVD, TCP_ESTABLISHED, TCP_CLOSE_WAIT, TCP_FIN_WAIT_1,
    TCP_FIN_WAIT_2, TCP_CLOSING, TCP_LAST_ACK, TCP_TIME_WAIT,
    TCP_DEAD,   /* reset or timed out, but the application still holds it */
};

struct tcp_listener {
    bool used;
    uint16_t port;
    int backlog;
};

struct tcp_conn {
    enum tcp_state state;
    struct tcp_listener *listener;  /* until accepted */
    uint64_t accept_order;          /* FIFO order of the accept queue */
    bool app_owned;                 /* accepted and not yet closed */
    bool fin_queued;                /* FIN follows the send buffer's data */
    bool fin_sent, fin_acked;
    uint32_t fin_seq;
    bool ack_pending;               /* owe the peer an ACK */
    bool output_pending;            /* new data queued since the last poll */
    int err;                        /* why a TCP_DEAD connection died */
    uint32_t raddr;
    uint16_t rport, lport;

    uint32_t iss, snd_una, snd_nxt, snd_max;
    uint32_t snd_wnd, snd_wl1, snd_wl2;
    uint32_t cwnd, ssthresh;
    uint16_t mss;
    uint8_t dupacks;
    bool in_recovery;               /* fast recovery until snd_una passes recover */
    uint32_t recover;
    uint8_t *sndbuf;                /* data from snd_una on (SYN excluded) */
    uint32_t snd_head, snd_len;

    uint32_t irs, rcv_nxt, rcv_adv; /* rcv_adv: right edge we advertised */
    uint8_t *rcvbuf;
    uint32_t rcv_head, rcv_len;

    uint64_t rto, rto_at;           /* rto_at 0: retransmission timer off */
    uint8_t tries;
    uint64_t srtt, rttvar;          /* srtt 0: no sample yet */
    bool rtt_timing;
    uint32_t rtt_seq;
    uint64_t rtt_start;
    uint64_t linger_at;             /* TIME_WAIT or FIN_WAIT_2 ends */
};

static struct tcp_conn tcp_conns[TCP_CONNS];
static struct tcp_listener tcp_listeners[TCP_LISTENERS];
static uint64_t tcp_accept_counter;
static uint8_t tcp_frame[NET_FRAME_MAX];

static uint32_t min32(uint32_t a, uint32_t b) { return a < b ? a : b; }
static uint32_t max32(uint32_t a, uint32_t b) { return a > b ? a : b; }

/* --- segments out ---------------------------------------------------------- */

/* Sends one segment; data (len bytes) is copied out of the send ring from
 * ring offset off. mss_opt adds our MSS option (SYN-ACK only). */
static void tcp_emit(uint32_t raddr, uint16_t lport, uint16_t rport, uint32_t seq, uint32_t ack,
                     uint8_t flags, uint16_t wnd, bool mss_opt,
                     const uint8_t *ring, uint32_t ring_size, uint32_t off, uint32_t len)
{
    uint8_t *t = tcp_frame + NET_L4_OFF;
    size_t hlen = TCP_HLEN + (mss_opt ? 4 : 0);

    put16(t, lport);
    put16(t + 2, rport);
    put32(t + 4, seq);
    put32(t + 8, ack);
    t[12] = (uint8_t)(hlen / 4) << 4;
    t[13] = flags;
    put16(t + 14, wnd);
    put32(t + 16, 0);   /* checksum, urgent pointer */
    if (mss_opt) {
        t[20] = 2;
        t[21] = 4;
        put16(t + 22, (uint16_t)(net_if.mtu - IP_HLEN - TCP_HLEN));
    }
    if (len) {
        uint32_t start = off & (ring_size - 1);
        uint32_t first = min32(len, ring_size - start);
        memcpy(t + hlen, ring + start, first);
        memcpy(t + hlen + first, ring, len - first);
    }
    size_t total = hlen + len;
    put16(t + 16, csum_fold(csum_add(csum_pseudo(net_if.addr, raddr, IP_PROTO_TCP, (uint16_t)total),
                                     t, total)));
    ip_send(raddr, IP_PROTO_TCP, tcp_frame, total);
}

static uint32_t tcp_rcv_wnd(const struct tcp_conn *c)
{
    return min32(TCP_RCVBUF - c->rcv_len, 0xffff);
}

static void tcp_segment(struct tcp_conn *c, uint32_t seq, uint8_t flags, uint32_t off, uint32_t len)
{
    uint32_t wnd = tcp_rcv_wnd(c);

    /* Never move the right edge we advertised to the left (RFC 9293 3.8.6.2.2). */
    if (SEQ_LT(c->rcv_nxt + wnd, c->rcv_adv))
        wnd = c->rcv_adv - c->rcv_nxt;
    c->rcv_adv = c->rcv_nxt + wnd;
    c->ack_pending = false;
    tcp_emit(c->raddr, c->lport, c->rport, seq, c->rcv_nxt, flags | TCP_ACK, (uint16_t)wnd,
             flags & TCP_SYN, c->sndbuf, TCP_SNDBUF, c->snd_head + off, len);
}

static void tcp_arm(struct tcp_conn *c)
{
    if (!c->rto_at)
        c->rto_at = nb_clock_monotonic() + c->rto;
}

/* Sends what the windows allow from snd_nxt on: data, then our FIN. */
static void tcp_output(struct tcp_conn *c)
{
    if (c->state == TCP_FREE || c->state == TCP_DEAD || c->state == TCP_SYN_RCVD)
        return;
    c->output_pending = false;
    uint32_t data_end = c->snd_una + c->snd_len;
    /* Limited transmit (RFC 3042): each of the first two dup ACKs lets one
     * new segment out, so a small window still yields the three dup ACKs
     * that fast retransmit needs instead of waiting for the timer. */
    uint32_t extra = c->in_recovery ? 0 : min32(c->dupacks, 2) * c->mss;
    uint32_t wnd_end = c->snd_una + min32(c->snd_wnd, c->cwnd + extra);

    while (SEQ_LT(c->snd_nxt, data_end) && SEQ_LT(c->snd_nxt, wnd_end)) {
        uint32_t n = min32(min32(c->mss, data_end - c->snd_nxt), wnd_end - c->snd_nxt);
        uint8_t flags = 0;
        if (c->snd_nxt + n == data_end)
            flags |= TCP_PSH | (c->fin_queued ? TCP_FIN : 0);
        if (flags & TCP_FIN) {
            c->fin_sent = true;
            c->fin_seq = data_end;
        }
        tcp_segment(c, c->snd_nxt, flags, c->snd_nxt - c->snd_una, n);
        if (!c->rtt_timing) {
            c->rtt_timing = true;
            c->rtt_seq = c->snd_nxt + n;
            c->rtt_start = nb_clock_monotonic();
        }
        c->snd_nxt += n + (flags & TCP_FIN ? 1 : 0);
        tcp_arm(c);
    }
    if (c->fin_queued && !c->fin_acked && c->snd_nxt == data_end) {
        c->fin_sent = true;
        c->fin_seq = data_end;
        tcp_segment(c, c->snd_nxt, TCP_FIN, 0, 0);
        c->snd_nxt++;
        tcp_arm(c);
    }
    if (SEQ_GT(c->snd_nxt, c->snd_max))
        c->snd_max = c->snd_nxt;
    /* Data waits for a zero window to open: the timer sends probes. */
    if (c->snd_wnd == 0 && c->snd_len)
        tcp_arm(c);
    if (c->ack_pending)
        tcp_segment(c, c->snd_nxt, 0, 0, 0);
}

static void tcp_send_synack(struct tcp_conn *c)
{
    tcp_segment(c, c->iss, TCP_SYN, 0, 0);
    tcp_arm(c);
}

/* RST in answer to a segment no connection owns (RFC 9293 3.10.7.1). */
static void tcp_reply_rst(uint32_t src, const uint8_t *p, uint32_t seglen)
{
    uint8_t flags = p[13];

    if (flags & TCP_RST)
        return;
    if (flags & TCP_ACK)
        tcp_emit(src, get16(p + 2), get16(p), get32(p + 8), 0, TCP_RST, 0, false, NULL, 1, 0, 0);
    else
        tcp_emit(src, get16(p + 2), get16(p), 0, get32(p + 4) + seglen, TCP_RST | TCP_ACK, 0, false,
                 NULL, 1, 0, 0);
}

/* --- connection table ------------------------------------------------------ */

static void tcp_free(struct tcp_conn *c)
{
    uint8_t *sndbuf = c->sndbuf, *rcvbuf = c->rcvbuf;

    /* The buffers stay with the slot: the SDK's heap need not reuse memory. */
    memset(c, 0, sizeof *c);
    c->sndbuf = sndbuf;
    c->rcvbuf = rcvbuf;
}

/* The connection died (RST or retransmissions exhausted). */
static void tcp_kill(struct tcp_conn *c, int err)
{
    if (c->app_owned) {
        c->state = TCP_DEAD;
        c->err = err;
        c->rto_at = 0;
        c->snd_len = 0;
    } else {
        tcp_free(c);
    }
}

static struct tcp_conn *tcp_find(uint32_t raddr, uint16_t rport, uint16_t lport)
{
    for (int i = 0; i < TCP_CONNS; i++) {
        struct tcp_conn *c = &tcp_conns[i];
        if (c->state != TCP_FREE && c->state != TCP_DEAD && c->raddr == raddr &&
            c->rport == rport && c->lport == lport)
            return c;
    }
    return NULL;
}

/* A free slot, else the TIME_WAIT connection closest to its end. */
static struct tcp_conn *tcp_alloc(void)
{
    struct tcp_conn *victim = NULL;

    for (int i = 0; i < TCP_CONNS; i++) {
        struct tcp_conn *c = &tcp_conns[i];
        if (c->state == TCP_FREE) {
            victim = c;
            break;
        }
        if (c->state == TCP_TIME_WAIT && (!victim || c->linger_at < victim->linger_at))
            victim = c;
    }
    if (!victim)
        return NULL;
    tcp_free(victim);
    if (!victim->sndbuf)
        victim->sndbuf = nb_malloc(TCP_SNDBUF);
    if (!victim->rcvbuf)
        victim->rcvbuf = nb_malloc(TCP_RCVBUF);
    if (!victim->sndbuf || !victim->rcvbuf)
        return NULL;
    return victim;
}

static int tcp_backlog_used(const struct tcp_listener *l)
{
    int n = 0;

    for (int i = 0; i < TCP_CONNS; i++)
        if (tcp_conns[i].state != TCP_FREE && tcp_conns[i].listener == l)
            n++;
    return n;
}

/* No entropy source is available to a guest: mix the clock with the
 * 4-tuple so sequence numbers are at least not predictable from a counter. */
static uint32_t tcp_iss(uint32_t raddr, uint16_t rport, uint16_t lport)
{
    uint64_t x = nb_clock_monotonic() ^ ((uint64_t)raddr << 32 | (uint32_t)rport << 16 | lport);

    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ull;
    x ^= x >> 33;
    return (uint32_t)x;
}

/* --- segments in ----------------------------------------------------------- */

static uint16_t tcp_parse_mss(const uint8_t *p, size_t hlen)
{
    size_t i = TCP_HLEN;

    while (i < hlen) {
        uint8_t kind = p[i];
        if (kind == 0)
            break;
        if (kind == 1) {
            i++;
            continue;
        }
        if (i + 1 >= hlen || p[i + 1] < 2 || i + p[i + 1] > hlen)
            break;
        if (kind == 2 && p[i + 1] == 4)
            return get16(p + i + 2);
        i += p[i + 1];
    }
    return TCP_DEFAULT_MSS;
}

static void tcp_passive_open(struct tcp_listener *l, uint32_t src, const uint8_t *p, size_t hlen)
{
    if (tcp_backlog_used(l) >= l->backlog)
        return;     /* the peer retries its SYN */
    struct tcp_conn *c = tcp_alloc();
    if (!c)
        return;
    uint16_t peer_mss = tcp_parse_mss(p, hlen);
    c->state = TCP_SYN_RCVD;
    c->listener = l;
    c->raddr = src;
    c->rport = get16(p);
    c->lport = l->port;
    c->irs = get32(p + 4);
    c->rcv_nxt = c->irs + 1;
    c->rcv_adv = c->rcv_nxt;
    c->iss = tcp_iss(src, c->rport, c->lport);
    c->snd_una = c->iss;
    c->snd_nxt = c->snd_max = c->iss + 1;
    c->snd_wnd = get16(p + 14);
    c->snd_wl1 = c->irs;
    c->snd_wl2 = c->iss;
    c->mss = (uint16_t)min32(max32(peer_mss, 64), net_if.mtu - IP_HLEN - TCP_HLEN);
    c->cwnd = 10u * c->mss;
    c->ssthresh = 0xffffffffu;
    c->rto = TCP_RTO_INIT;
    tcp_send_synack(c);
}

static void tcp_rtt_sample(struct tcp_conn *c, uint64_t r)
{
    if (c->srtt == 0) {
        c->srtt = r ? r : 1;
        c->rttvar = r / 2;
    } else {
        uint64_t d = c->srtt > r ? c->srtt - r : r - c->srtt;
        c->rttvar = (3 * c->rttvar + d) / 4;
        c->srtt = (7 * c->srtt + r) / 8;
    }
    uint64_t rto = c->srtt + (4 * c->rttvar > NS_PER_MS ? 4 * c->rttvar : NS_PER_MS);
    c->rto = rto < TCP_RTO_MIN ? TCP_RTO_MIN : rto > TCP_RTO_MAX ? TCP_RTO_MAX : rto;
}

/* Sends the first unacknowledged segment again (with our FIN if that is
 * all that is left), without moving snd_nxt. */
static void tcp_resend_head(struct tcp_conn *c)
{
    uint32_t n = min32(c->mss, c->snd_len);
    bool fin = c->fin_sent && c->snd_una + n == c->fin_seq;

    tcp_segment(c, c->snd_una, fin ? TCP_FIN : 0, 0, n);
    c->rtt_timing = false;
}

/* An ACK that moves snd_una: frees acknowledged data, grows cwnd. */
static void tcp_acked(struct tcp_conn *c, uint32_t ack)
{
    uint32_t acked = ack - c->snd_una;
    uint32_t data = min32(acked, c->snd_len);

    c->snd_head = (c->snd_head + data) & (TCP_SNDBUF - 1);
    c->snd_len -= data;
    c->snd_una = ack;
    if (c->fin_sent && SEQ_GT(ack, c->fin_seq))
        c->fin_acked = true;
    if (SEQ_LT(c->snd_nxt, ack))
        c->snd_nxt = ack;
    if (c->rtt_timing && SEQ_GEQ(ack, c->rtt_seq)) {
        c->rtt_timing = false;
        tcp_rtt_sample(c, nb_clock_monotonic() - c->rtt_start);
    }
    if (c->in_recovery)
        ;   /* cwnd stays at ssthresh until the losses are repaired */
    else if (c->cwnd < c->ssthresh)
        c->cwnd += min32(acked, 2u * c->mss);   /* RFC 3465 with L = 2: delayed ACKs */
    else
        c->cwnd += max32(c->mss * c->mss / c->cwnd, 1);
    c->cwnd = min32(c->cwnd, 1u << 24);
    c->dupacks = 0;
    c->tries = 0;
    c->rto_at = 0;
    if (c->snd_una != c->snd_max)
        tcp_arm(c);
}

/* RFC 9293 3.10.7.4 first check: does the segment overlap our window? */
static bool tcp_acceptable(const struct tcp_conn *c, uint32_t seq, uint32_t seglen)
{
    uint32_t wnd = tcp_rcv_wnd(c);

    if (seglen == 0)
        return wnd == 0 ? seq == c->rcv_nxt
                        : SEQ_GEQ(seq, c->rcv_nxt) && SEQ_LT(seq, c->rcv_nxt + wnd);
    if (wnd == 0)
        return false;
    return (SEQ_GEQ(seq, c->rcv_nxt) && SEQ_LT(seq, c->rcv_nxt + wnd)) ||
           (SEQ_GEQ(seq + seglen - 1, c->rcv_nxt) && SEQ_LT(seq + seglen - 1, c->rcv_nxt + wnd));
}

static void tcp_enter_linger(struct tcp_conn *c, enum tcp_state state, uint64_t ns)
{
    c->state = state;
    c->rto_at = 0;
    c->linger_at = nb_clock_monotonic() + ns;
}

/* The ACK field of a segment in a synchronized state. false: drop the rest. */
static bool tcp_input_ack(struct tcp_conn *c, uint32_t seq, uint32_t ack, uint16_t wnd, uint32_t seglen)
{
    if (SEQ_GT(ack, c->snd_max)) {
        c->ack_pending = true;  /* acks what we never sent */
        return false;
    }
    if (SEQ_GT(ack, c->snd_una)) {
        tcp_acked(c, ack);
        if (c->in_recovery && SEQ_GEQ(ack, c->recover))
            c->in_recovery = false;
        else if (c->in_recovery)
            tcp_resend_head(c);     /* a partial ACK shows the next hole (RFC 6582) */
    } else if (ack == c->snd_una && seglen == 0 && c->snd_una != c->snd_max && !c->in_recovery &&
               wnd <= c->snd_wnd) {
        /* A duplicate ACK. RFC 5681 wants the same window; a smaller one
         * counts too, since a receiver holding out-of-order data may
         * shrink it. A larger one is a window update. */
        if (++c->dupacks < 3) {
            tcp_output(c);
        } else if (c->dupacks == 3) {
            /* Fast retransmit: the segment at snd_una was probably lost. */
            c->ssthresh = max32((c->snd_max - c->snd_una) / 2, 2u * c->mss);
            c->cwnd = c->ssthresh;
            c->in_recovery = true;
            c->recover = c->snd_max;
            tcp_resend_head(c);
        }
    }
    if (SEQ_LT(c->snd_wl1, seq) || (c->snd_wl1 == seq && SEQ_LEQ(c->snd_wl2, ack))) {
        /* A window reopening after zero resends from snd_una: the probe
         * byte beyond the old window was not accepted. */
        if (c->snd_wnd == 0 && wnd > 0)
            c->snd_nxt = c->snd_una;
        c->snd_wnd = wnd;
        c->snd_wl1 = seq;
        c->snd_wl2 = ack;
    }
    if (c->fin_acked) {
        switch (c->state) {
        case TCP_FIN_WAIT_1:
            tcp_enter_linger(c, TCP_FIN_WAIT_2, TCP_FIN_WAIT_2_NS);
            break;
        case TCP_CLOSING:
            tcp_enter_linger(c, TCP_TIME_WAIT, TCP_TIME_WAIT_NS);
            break;
        case TCP_LAST_ACK:
            tcp_free(c);
            return false;
        default:
            break;
        }
    }
    return true;
}

/* The data and FIN of an acceptable segment (RFC 9293 3.10.7.4, steps 7-8). */
static void tcp_input_data(struct tcp_conn *c, uint32_t seq, const uint8_t *data, uint32_t dlen, bool fin)
{
    bool open = c->state == TCP_ESTABLISHED || c->state == TCP_FIN_WAIT_1 || c->state == TCP_FIN_WAIT_2;

    if (dlen || fin)
        c->ack_pending = true;
    if (open && dlen) {
        if (SEQ_LT(seq, c->rcv_nxt)) {   /* already have the front: trim it */
            uint32_t skip = min32(c->rcv_nxt - seq, dlen);
            data += skip;
            dlen -= skip;
            seq += skip;
        }
        if (seq != c->rcv_nxt)
            return;     /* after a gap: dropped, the ACK we owe asks again */
        /* After tcp_close nobody reads: take the data and discard it. */
        uint32_t take = c->app_owned || c->listener ? min32(dlen, TCP_RCVBUF - c->rcv_len) : dlen;
        if (c->app_owned || c->listener) {
            uint32_t tail = (c->rcv_head + c->rcv_len) & (TCP_RCVBUF - 1);
            uint32_t first = min32(take, TCP_RCVBUF - tail);
            memcpy(c->rcvbuf + tail, data, first);
            memcpy(c->rcvbuf, data + first, take - first);
            c->rcv_len += take;
        }
        c->rcv_nxt += take;
        if (take < dlen)
            return;     /* the FIN, if any, lies beyond what we took */
    } else if (seq != c->rcv_nxt) {
        return;
    }
    if (!fin)
        return;
    switch (c->state) {
    case TCP_ESTABLISHED:
        c->rcv_nxt++;
        c->state = TCP_CLOSE_WAIT;
        break;
    case TCP_FIN_WAIT_1:
        c->rcv_nxt++;
        if (c->fin_acked)
            tcp_enter_linger(c, TCP_TIME_WAIT, TCP_TIME_WAIT_NS);
        else
            c->state = TCP_CLOSING;
        break;
    case TCP_FIN_WAIT_2:
        c->rcv_nxt++;
        tcp_enter_linger(c, TCP_TIME_WAIT, TCP_TIME_WAIT_NS);
        break;
    default:
        break;  /* a retransmitted FIN: just ACK it again */
    }
}

void tcp_input(uint32_t src, const uint8_t *p, size_t len)
{
    if (len < TCP_HLEN)
        return;
    size_t hlen = (size_t)(p[12] >> 4) * 4;
    if (hlen < TCP_HLEN || hlen > len)
        return;
    if (csum_fold(csum_add(csum_pseudo(src, net_if.addr, IP_PROTO_TCP, (uint16_t)len), p, len)) != 0)
        return;
    uint16_t sport = get16(p), dport = get16(p + 2);
    uint32_t seq = get32(p + 4), ack = get32(p + 8);
    uint8_t flags = p[13];
    uint16_t wnd = get16(p + 14);
    const uint8_t *data = p + hlen;
    uint32_t dlen = (uint32_t)(len - hlen);
    uint32_t seglen = dlen + (flags & TCP_SYN ? 1 : 0) + (flags & TCP_FIN ? 1 : 0);

    struct tcp_conn *c = tcp_find(src, sport, dport);
    /* A new SYN may take over a connection in TIME_WAIT (RFC 1122 4.2.2.13). */
    if (c && c->state == TCP_TIME_WAIT && (flags & (TCP_SYN | TCP_ACK | TCP_RST)) == TCP_SYN &&
        SEQ_GT(seq, c->rcv_nxt)) {
        tcp_free(c);
        c = NULL;
    }
    if (!c) {
        struct tcp_listener *l = NULL;
        for (int i = 0; i < TCP_LISTENERS; i++)
            if (tcp_listeners[i].used && tcp_listeners[i].port == dport)
                l = &tcp_listeners[i];
        if (l && (flags & (TCP_SYN | TCP_ACK | TCP_RST | TCP_FIN)) == TCP_SYN)
            tcp_passive_open(l, src, p, hlen);
        else
            tcp_reply_rst(src, p, seglen);
        return;
    }

    if (c->state == TCP_SYN_RCVD && (flags & TCP_SYN) && !(flags & TCP_ACK) && seq == c->irs) {
        tcp_send_synack(c);     /* our SYN-ACK was lost */
        return;
    }
    if (!tcp_acceptable(c, seq, seglen)) {
        if (!(flags & TCP_RST))
            tcp_segment(c, c->snd_nxt, 0, 0, 0);
        return;
    }
    /* RFC 5961: only an exact RST kills; SYN or near-miss RST get a challenge ACK. */
    if (flags & TCP_RST) {
        if (seq == c->rcv_nxt)
            tcp_kill(c, -NB_ECONNRESET);
        else
            tcp_segment(c, c->snd_nxt, 0, 0, 0);
        return;
    }
    if (flags & TCP_SYN) {
        tcp_segment(c, c->snd_nxt, 0, 0, 0);
        return;
    }
    if (!(flags & TCP_ACK))
        return;
    if (c->state == TCP_SYN_RCVD) {
        if (ack != c->iss + 1) {
            tcp_reply_rst(src, p, seglen);
            return;
        }
        c->state = TCP_ESTABLISHED;
        c->snd_una = ack;
        c->rto_at = 0;
        c->tries = 0;
        c->accept_order = ++tcp_accept_counter;
    }
    uint32_t old_una = c->snd_una, old_wnd = c->snd_wnd;
    if (!tcp_input_ack(c, seq, ack, wnd, dlen))
        return;
    tcp_input_data(c, seq, data, dlen, flags & TCP_FIN);
    if (c->state == TCP_TIME_WAIT)
        c->linger_at = nb_clock_monotonic() + TCP_TIME_WAIT_NS;
    /* Room in the peer's window: keep the data flowing now. */
    if (c->snd_len && (c->snd_una != old_una || c->snd_wnd > old_wnd))
        tcp_output(c);
}

/* --- timers ------------------------------------------------------------------ */

static void tcp_backoff(struct tcp_conn *c)
{
    c->rto = c->rto * 2 > TCP_RTO_MAX ? TCP_RTO_MAX : c->rto * 2;
}

static void tcp_retransmit(struct tcp_conn *c, uint64_t now)
{
    c->rto_at = 0;
    if (c->state == TCP_SYN_RCVD) {
        if (++c->tries > TCP_SYN_TRIES) {
            tcp_free(c);
            return;
        }
        tcp_backoff(c);
        tcp_send_synack(c);
        return;
    }
    /* Probing a zero window is not a failure of the peer: do not count it,
     * unless the application is gone (a peer that never opens its window
     * must not hold a closed connection forever). */
    bool probing = c->snd_wnd == 0;
    if ((!probing || !c->app_owned) && ++c->tries > TCP_DATA_TRIES) {
        tcp_emit(c->raddr, c->lport, c->rport, c->snd_nxt, 0, TCP_RST, 0, false, NULL, 1, 0, 0);
        tcp_kill(c, -NB_ETIMEDOUT);
        return;
    }
    tcp_backoff(c);
    c->rtt_timing = false;
    if (probing && c->snd_len) {
        /* One byte beyond the closed window makes the peer restate it. */
        tcp_segment(c, c->snd_una, 0, 0, 1);
        if (SEQ_LT(c->snd_max, c->snd_una + 1))
            c->snd_max = c->snd_una + 1;
        c->snd_nxt = c->snd_max;
        c->rto_at = now + c->rto;
        return;
    }
    /* Go back N: everything after snd_una is sent again as the window allows. */
    c->ssthresh = max32((c->snd_max - c->snd_una) / 2, 2u * c->mss);
    c->cwnd = c->mss;
    c->dupacks = 0;
    c->in_recovery = false;
    c->snd_nxt = c->snd_una;
    tcp_output(c);
    tcp_arm(c);
}

void tcp_timers(uint64_t now)
{
    for (int i = 0; i < TCP_CONNS; i++) {
        struct tcp_conn *c = &tcp_conns[i];
        if (c->state == TCP_FREE)
            continue;
        if (c->linger_at && c->linger_at <= now) {
            if (c->app_owned)
                tcp_kill(c, -NB_ETIMEDOUT);
            else
                tcp_free(c);
        } else if (c->rto_at && c->rto_at <= now) {
            tcp_retransmit(c, now);
        }
    }
}

uint64_t tcp_next_timer(void)
{
    uint64_t next = UINT64_MAX;

    for (int i = 0; i < TCP_CONNS; i++) {
        const struct tcp_conn *c = &tcp_conns[i];
        if (c->state == TCP_FREE)
            continue;
        if (c->rto_at && c->rto_at < next)
            next = c->rto_at;
        if (c->linger_at && c->linger_at < next)
            next = c->linger_at;
    }
    return next;
}

void tcp_flush(void)
{
    for (int i = 0; i < TCP_CONNS; i++) {
        struct tcp_conn *c = &tcp_conns[i];
        if (c->state != TCP_FREE && (c->ack_pending || c->output_pending))
            tcp_output(c);
    }
}

/* --- the application's side --------------------------------------------------- */

struct tcp_listener *tcp_listen(uint16_t port, int backlog)
{
    if (port == 0 || backlog < 1 || backlog > TCP_CONNS)
        return NULL;
    for (int i = 0; i < TCP_LISTENERS; i++)
        if (tcp_listeners[i].used && tcp_listeners[i].port == port)
            return NULL;
    for (int i = 0; i < TCP_LISTENERS; i++) {
        struct tcp_listener *l = &tcp_listeners[i];
        if (!l->used) {
            l->used = true;
            l->port = port;
            l->backlog = backlog;
            return l;
        }
    }
    return NULL;
}

struct tcp_conn *tcp_accept(struct tcp_listener *l)
{
    struct tcp_conn *best = NULL;

    for (int i = 0; i < TCP_CONNS; i++) {
        struct tcp_conn *c = &tcp_conns[i];
        if (c->listener == l && c->state != TCP_SYN_RCVD && c->state != TCP_FREE &&
            (!best || c->accept_order < best->accept_order))
            best = c;
    }
    if (best) {
        best->listener = NULL;
        best->app_owned = true;
    }
    return best;
}

long tcp_recv(struct tcp_conn *c, void *buf, size_t len)
{
    if (c->rcv_len == 0) {
        if (c->state == TCP_DEAD)
            return c->err;
        if (c->state == TCP_ESTABLISHED || c->state == TCP_FIN_WAIT_1 || c->state == TCP_FIN_WAIT_2)
            return -NB_EAGAIN;
        return 0;   /* the peer's FIN has arrived */
    }
    uint32_t n = min32((uint32_t)(len < TCP_RCVBUF ? len : TCP_RCVBUF), c->rcv_len);
    uint32_t first = min32(n, TCP_RCVBUF - c->rcv_head);
    memcpy(buf, c->rcvbuf + c->rcv_head, first);
    memcpy((uint8_t *)buf + first, c->rcvbuf, n - first);
    c->rcv_head = (c->rcv_head + n) & (TCP_RCVBUF - 1);
    c->rcv_len -= n;
    /* Tell the peer about the room we made once it is worth a segment
     * (receiver-side silly window avoidance, RFC 9293 3.8.6.2.2). */
    uint32_t advertised = c->rcv_adv - c->rcv_nxt;
    if (tcp_rcv_wnd(c) - advertised >= min32(TCP_RCVBUF / 2, 2u * c->mss))
        c->ack_pending = true;
    return (long)n;
}

int tcp_error(const struct tcp_conn *c)
{
    return c->state == TCP_DEAD ? c->err : 0;
}

static bool tcp_can_send(const struct tcp_conn *c)
{
    return (c->state == TCP_ESTABLISHED || c->state == TCP_CLOSE_WAIT) && !c->fin_queued;
}

size_t tcp_send_space(struct tcp_conn *c)
{
    return tcp_can_send(c) ? TCP_SNDBUF - c->snd_len : 0;
}

size_t tcp_send_pending(struct tcp_conn *c)
{
    return c->snd_len;
}

long tcp_send(struct tcp_conn *c, const void *buf, size_t len)
{
    if (c->state == TCP_DEAD)
        return c->err;
    if (!tcp_can_send(c))
        return -NB_EPIPE;
    uint32_t n = min32((uint32_t)(len < TCP_SNDBUF ? len : TCP_SNDBUF), TCP_SNDBUF - c->snd_len);
    if (n == 0)
        return len == 0 ? 0 : -NB_EAGAIN;
    uint32_t tail = (c->snd_head + c->snd_len) & (TCP_SNDBUF - 1);
    uint32_t first = min32(n, TCP_SNDBUF - tail);
    memcpy(c->sndbuf + tail, buf, first);
    memcpy(c->sndbuf, (const uint8_t *)buf + first, n - first);
    c->snd_len += n;
    /* Sent at the next poll, so small writes leave as full segments. */
    c->output_pending = true;
    return (long)n;
}

void tcp_close(struct tcp_conn *c)
{
    c->app_owned = false;
    c->rcv_len = 0;
    switch (c->state) {
    case TCP_ESTABLISHED:
        c->state = TCP_FIN_WAIT_1;
        break;
    case TCP_CLOSE_WAIT:
        c->state = TCP_LAST_ACK;
        break;
    default:
        tcp_free(c);
        return;
    }
    c->fin_queued = true;
    c->output_pending = true;
}

void tcp_abort(struct tcp_conn *c)
{
    if (c->state != TCP_DEAD)
        tcp_emit(c->raddr, c->lport, c->rport, c->snd_nxt, 0, TCP_RST, 0, false, NULL, 1, 0, 0);
    tcp_free(c);
}

void tcp_peer(const struct tcp_conn *c, uint32_t *addr, uint16_t *port)
{
    *addr = c->raddr;
    *port = c->rport;
}
