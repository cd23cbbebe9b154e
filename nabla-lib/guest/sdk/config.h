/*
 * CONFIG, the rumprun-style JSON document the tender passes, as the guest
 * sees it. Built both into guests and on the host (fuzzer, config-dump).
 *
 * Keys read (all others are ignored, so upstream documents still work):
 *   "cmdline"  string: argv split on spaces, rumprun style: no quoting, runs
 *              of spaces are one separator, so {"bla":"ble"} stays verbatim
 *              but an argument cannot hold a space.
 *   "argv"     array of strings (runnc's extension): wins over "cmdline"
 *              whenever present, so arguments with spaces survive.
 *   "env"      string "K=V", repeated once per variable (rumprun's lists).
 *   "cwd"      string, default "/".
 *   "net"      object: "addr" (dotted IPv4), "mask" (prefix length "24", or a
 *              dotted netmask), optional "gw"; "if", "cloner", "type",
 *              "method" are ignored.
 *   "blk"      object: only its presence is recorded (the ISO is mounted at /).
 *   "files"    object, guest path -> content: per-container files that
 *              shadow the disk's (the disk image is shared read-only).
 *   "mounts"   array of at most NB_MOUNTS_MAX objects, each exactly
 *              {"device":NAME,"path":PATH,"type":"iso9660"|"raw"}: the block
 *              device NAME (letters and digits, as a tender's --block:NAME
 *              takes) at PATH (absolute, clean, not "/", no two alike). Only
 *              the syntax is checked here; that NAME is an attached device of
 *              the guest's manifest is checked at boot (disk.c).
 * A repeated key other than "env" replaces the earlier value; a repeated
 * "files" path replaces the earlier content.
 */
#ifndef NABLA_CONFIG_H
#define NABLA_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "json.h"

struct nb_config_file {
    const char *path;
    const char *data;   /* may hold NUL bytes: use len */
    size_t len;
};

/* One per volume slot the SDK declares (NB_VOLUME_MAX in nabla.h). */
#define NB_MOUNTS_MAX 8
/* A device name, as Solo5's manifest holds it (MFT_NAME_MAX). */
#define NB_MOUNT_DEVICE_MAX 67

enum nb_mount_type { NB_MOUNT_ISO9660, NB_MOUNT_RAW };

struct nb_config_mount {
    const char *device;
    const char *path;
    enum nb_mount_type type;
    size_t index;       /* its place in "mounts", for messages */
    size_t pos;         /* where the entry starts in CONFIG, for messages */
};

struct nb_config {
    int argc;
    char **argv;                 /* NULL-terminated */
    bool argv_from_cmdline;      /* no "argv" key: split "cmdline" */
    char **env;                  /* NULL-terminated "K=V" */
    size_t nenv;
    const char *cwd;
    bool has_net;
    uint32_t net_addr;           /* host byte order */
    uint32_t net_prefix;
    uint32_t net_gw;             /* 0: none */
    bool has_blk;
    struct nb_config_file *files;
    size_t nfiles;
    struct nb_config_mount *mounts;
    size_t nmounts;
};

/* Parses CONFIG (len bytes, not necessarily NUL-terminated) into out,
 * allocating from a. Returns false with j's err/err_pos describing the
 * first problem. */
bool nb_config_parse(const char *text, size_t len, struct nb_arena *a,
                     struct nb_config *out, struct json *j);

/* The content CONFIG "files" gives path, or NULL. */
const struct nb_config_file *nb_config_file(const struct nb_config *c, const char *path);

#endif
