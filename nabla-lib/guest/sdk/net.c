/* The network device: raw Ethernet frames on the tap fd, and the address
 * CONFIG gave it. */
#include "sdk.h"

bool nb_net_present(void)
{
    return nb_bi->net_fd >= 0;
}

const uint8_t *nb_net_mac(void)
{
    return nb_bi->net_mac;
}

uint32_t nb_net_mtu(void)
{
    return nb_bi->net_mtu;
}

long nb_net_write(const void *frame, size_t len)
{
    if (nb_bi->net_fd < 0)
        return -ENODEV;
    return nb_syscall6(__NR_write, nb_bi->net_fd, (long)frame, (long)len, 0, 0, 0);
}

long nb_net_read(void *frame, size_t len)
{
    if (nb_bi->net_fd < 0)
        return -ENODEV;
    return nb_syscall6(__NR_read, nb_bi->net_fd, (long)frame, (long)len, 0, 0, 0);
}

bool nb_net_config(struct nb_net_config *out)
{
    if (!nb_cfg.has_net)
        return false;
    out->addr = nb_cfg.net_addr;
    out->prefix = nb_cfg.net_prefix;
    out->gw = nb_cfg.net_gw;
    return true;
}
