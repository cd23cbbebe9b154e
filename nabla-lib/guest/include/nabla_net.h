/*
 * nabla_net: a small IPv4 stack for Nabla guests (Ethernet, ARP, IPv4, ICMP
 * echo, UDP, server-side TCP) on top of the SDK's raw frame calls.
 *
 * Single-threaded and poll-driven: the application calls nb_net_poll(),
 * which waits for a frame or a deadline, handles every frame that arrived
 * and runs the protocol timers, then returns so the application can make
 * progress on its sockets. No call below ever blocks.
 *
 * Addresses and ports are in host byte order. Errors are negative errno
 * values (the NB_E* constants below).
 */
#ifndef NABLA_NET_H
#define NABLA_NET_H

#include "nabla.h"

#define NB_EAGAIN       11   /* nothing to read / no room to send yet */
#define NB_ENOMEM       12
#define NB_EINVAL       22
#define NB_EPIPE        32   /* sending after tcp_close or the peer's RST */
#define NB_EMSGSIZE     90
#define NB_EADDRINUSE   98
#define NB_ENETDOWN    100
#define NB_ECONNRESET  104
#define NB_ETIMEDOUT   110
#define NB_EHOSTUNREACH 113

/* Reads CONFIG "net" and the device's MAC. 0, or -NB_ENETDOWN when the
 * guest has no network device or no address. */
int nb_net_init(void);

/* Waits until a frame arrives, a protocol timer is due or the monotonic
 * clock reaches deadline_ns (absolute), then handles frames and timers.
 * A deadline in the past makes it a non-blocking step. */
void nb_net_poll(uint64_t deadline_ns);

/* Our address, for logs. */
uint32_t nb_net_addr(void);

/* The port a server app listens on: the last "port=N" argument, else def. */
uint16_t nb_net_port_arg(int argc, char **argv, uint16_t def);

/* --- UDP ------------------------------------------------------------------ */
struct udp_sock;
/* NULL if the port is taken or memory is short. Keeps the last few
 * datagrams; later ones are dropped until the application reads. */
struct udp_sock *udp_bind(uint16_t port);
/* One datagram, truncated to len: its length, or -NB_EAGAIN. */
long udp_recv(struct udp_sock *s, void *buf, size_t len,
              uint32_t *from_addr, uint16_t *from_port);
/* len, -NB_EMSGSIZE beyond one frame, -NB_EHOSTUNREACH without a route.
 * A datagram to a peer whose MAC is unknown waits for ARP (one per peer). */
long udp_send(struct udp_sock *s, uint32_t addr, uint16_t port,
              const void *buf, size_t len);
void udp_close(struct udp_sock *s);

/* --- TCP (server side) ------------------------------------------------------ */
struct tcp_listener;
struct tcp_conn;
/* Listens on port with at most backlog connections handshaking or waiting
 * for tcp_accept. NULL if the port is taken or backlog is out of range. */
struct tcp_listener *tcp_listen(uint16_t port, int backlog);
/* An established connection, or NULL if none is waiting. */
struct tcp_conn *tcp_accept(struct tcp_listener *l);
/* Bytes read (>0), 0 at the peer's FIN, -NB_EAGAIN if nothing yet,
 * -NB_ECONNRESET / -NB_ETIMEDOUT if the connection died. */
long tcp_recv(struct tcp_conn *c, void *buf, size_t len);
/* Copies up to len bytes into the send buffer (64 KiB), which the next
 * nb_net_poll starts sending, so several small writes leave as full
 * segments: the count taken (may be short: back-pressure), -NB_EAGAIN if
 * the buffer is full, -NB_EPIPE / -NB_ECONNRESET / -NB_ETIMEDOUT if it
 * cannot send. */
long tcp_send(struct tcp_conn *c, const void *buf, size_t len);
/* 0 while the connection works, else why it died (-NB_ECONNRESET,
 * -NB_ETIMEDOUT): what tcp_send and tcp_recv would return, without
 * sending or reading. */
int tcp_error(const struct tcp_conn *c);
/* Free room in the send buffer (0 once the connection cannot send). */
size_t tcp_send_space(struct tcp_conn *c);
/* Bytes queued but not yet acknowledged by the peer. */
size_t tcp_send_pending(struct tcp_conn *c);
/* Sends FIN after the queued data and hands the connection back to the
 * stack, which finishes the close; data that still arrives is acknowledged
 * and discarded. The application must not use c afterwards. */
void tcp_close(struct tcp_conn *c);
/* Sends RST and frees the connection at once. */
void tcp_abort(struct tcp_conn *c);
/* Peer address, for logs. */
void tcp_peer(const struct tcp_conn *c, uint32_t *addr, uint16_t *port);

#endif
