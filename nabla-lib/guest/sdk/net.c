/* The network device: raw Ethernet frames on the tap fd of the manifest's
 * NB_NET_NAME entry, with the MAC and MTU the tender gave it, and the
 * address CONFIG gave it. */
#include "sdk.h"

bool nb_net_present(void)
{
    return nb_dev.net != NULL;
}

const uint8_t *nb_net_mac(void)
{
    static const uint8_t none[6];
    return nb_dev.net ? nb_dev.net->u.net_basic.mac : none;
}

uint32_t nb_net_mtu(void)
{
    return nb_dev.net ? nb_dev.net->u.net_basic.mtu : 0;
}

long nb_net_write(const void *frame, size_t len)
{
    if (!nb_dev.net)
        return -ENODEV;
    return nb_syscall6(__NR_write, nb_dev.net->b.hostfd, (long)frame, (long)len, 0, 0, 0);
}

long nb_net_read(void *frame, size_t len)
{
    if (!nb_dev.net)
        return -ENODEV;
    return nb_syscall6(__NR_read, nb_dev.net->b.hostfd, (long)frame, (long)len, 0, 0, 0);
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
