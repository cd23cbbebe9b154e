/*
 * --net:NAME=TAP (and the Nabla era's --net=TAP): a network device is an
 * existing tap, opened here and moved to its fixed fd; the guest may read
 * and write raw frames on that fd and on no other. Its MTU is the tap's,
 * as Solo5 0.10 and later report it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <asm/unistd.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/socket.h>

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

/* "@FD": a tap the caller opened for us, as solo5-spt takes it. It must
 * really be a tap (TUNGETIFF), and it goes non-blocking. */
static int inherited_tap(const char *target, char name[IFNAMSIZ])
{
    struct ifreq ifr;
    int fd = (int)strtol(target + 1, NULL, 10); /* args_parse checked the digits */

    memset(&ifr, 0, sizeof(ifr));
    if (ioctl(fd, TUNGETIFF, &ifr) < 0 || !(ifr.ifr_flags & IFF_TAP))
        die("%s is not an open tap device", target);
    if (fcntl(fd, F_SETFL, O_NONBLOCK) < 0)
        die("make tap %s non-blocking: %m", target);
    memcpy(name, ifr.ifr_name, IFNAMSIZ);
    name[IFNAMSIZ - 1] = '\0';
    return fd;
}

/* The tap must be up (as solo5-spt requires); its MTU becomes the guest's. */
static uint16_t tap_mtu(const char *name)
{
    struct ifreq ifr;
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0)
        die("socket for the MTU of %s: %m", name);
    memset(&ifr, 0, sizeof(ifr));
    memcpy(ifr.ifr_name, name, IFNAMSIZ); /* NUL-terminated within IFNAMSIZ */
    if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
        die("flags of tap %s: %m", name);
    if (!(ifr.ifr_flags & IFF_UP))
        die("tap %s is down: bring it up first (ip link set %s up)", name, name);
    if (ioctl(s, SIOCGIFMTU, &ifr) < 0)
        die("MTU of tap %s: %m", name);
    close(s);
    if (ifr.ifr_mtu < 68 || ifr.ifr_mtu > 65535)
        die("tap %s has MTU %d, which a guest cannot use", name, ifr.ifr_mtu);
    return (uint16_t)ifr.ifr_mtu;
}

/* A random locally administered unicast address, as a NIC would not have. */
static void random_mac(uint8_t mac[6])
{
    if (getrandom(mac, 6, 0) != 6)
        die("getrandom for the guest MAC: %m");
    mac[0] = (uint8_t)((mac[0] & 0xfe) | 0x02);
}

void net_attach(struct dev *d, bool print_only)
{
    char name[IFNAMSIZ];
    int fd;

    if (!d->mac_set)
        random_mac(d->mac);
    if (print_only)
        return;
    if (d->target[0] == '@') {
        fd = inherited_tap(d->target, name);
    } else {
        fd = open_tap(d->target);
        strcpy(name, d->target); /* args_parse bounded it by IFNAMSIZ */
    }
    d->mtu = tap_mtu(name);
    core_move_fd(fd, d->fd);
}

void net_rules(const struct dev *d, struct filter *f)
{
    filter_add(f, __NR_read, "read", COND(ARG_EQ, 0, "fd", (uint64_t)d->fd));
    filter_add(f, __NR_write, "write", COND(ARG_EQ, 0, "fd", (uint64_t)d->fd));
}
