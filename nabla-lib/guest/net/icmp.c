/*
 * ICMP (RFC 792): echo replies only. We send no error messages.
 */
#include "netpriv.h"

#define ICMP_ECHO_REPLY   0
#define ICMP_ECHO_REQUEST 8

void icmp_input(uint32_t src, const uint8_t *p, size_t len)
{
    static uint8_t frame[NET_FRAME_MAX];

    if (len < 8 || len > (size_t)net_if.mtu - IP_HLEN || p[0] != ICMP_ECHO_REQUEST || p[1] != 0)
        return;
    if (csum_fold(csum_add(0, p, len)) != 0)
        return;
    uint8_t *r = frame + NET_L4_OFF;
    memcpy(r, p, len);
    r[0] = ICMP_ECHO_REPLY;
    put16(r + 2, 0);
    put16(r + 2, csum_fold(csum_add(0, r, len)));
    ip_send(src, IP_PROTO_ICMP, frame, len);
}
