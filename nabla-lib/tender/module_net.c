/*
 * --net=TAP: the guest's network device is an existing tap, opened here and
 * moved to NET_FD; the guest may read and write raw frames on that fd and
 * on no other.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <asm/unistd.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/random.h>

#include "filter.h"
#include "tender.h"

/* TUNSETIFF creates the tap when the name is free: only an interface that
 * already exists (set up by the network handler) may be used. */
static int open_tap(const char *name)
{
    struct ifreq ifr;

    if (if_nametoindex(name) == 0)
        die("tap %s does not exist: create it before starting the guest", name);
    int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        die("open /dev/net/tun: %m");
    memset(&ifr, 0, sizeof(ifr));
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
    strncpy(ifr.ifr_name, name, IFNAMSIZ - 1); /* args_parse bounded the length */
    if (ioctl(fd, TUNSETIFF, &ifr) < 0)
        die("attach to tap %s: %m (is it a tap device, and free?)", name);
    if (strncmp(ifr.ifr_name, name, IFNAMSIZ) != 0)
        die("attach to tap %s: the kernel gave %s instead", name, ifr.ifr_name);
    return fd;
}

/* A random locally administered unicast address, as a NIC would not have. */
static void random_mac(uint8_t mac[6])
{
    if (getrandom(mac, 6, 0) != 6)
        die("getrandom for the guest MAC: %m");
    mac[0] = (uint8_t)((mac[0] & 0xfe) | 0x02);
}

void net_setup(const struct args *a, struct nabla_boot_info *bi, struct filter *f)
{
    if (!a->net)
        return;
    if (!a->print_filter)
        core_move_fd(open_tap(a->net), NET_FD);
    if (a->net_mac_set)
        memcpy(bi->net_mac, a->net_mac, 6);
    else
        random_mac(bi->net_mac);
    bi->net_fd = NET_FD;
    bi->net_mtu = NET_MTU;

    filter_add(f, __NR_read, "read", COND(ARG_EQ, 0, "fd", NET_FD));
    filter_add(f, __NR_write, "write", COND(ARG_EQ, 0, "fd", NET_FD));
}
