/*
 * Solo5 notes and the manifest, read from the guest's bytes. Every length
 * and offset comes from the file, so each is checked against what is left
 * before it is used, in 64-bit arithmetic that cannot wrap (the file is at
 * most guest memory, far below 2^63).
 */
#include <elf.h>
#include <stdio.h>
#include <string.h>

#include "elf_loader.h"
#include "fail.h"
#include "solo5.h"

static uint64_t align4(uint64_t v) { return (v + 3) & ~3ull; }

const char *mft_type_name(uint32_t type)
{
    switch (type) {
    case MFT_DEV_NET_BASIC:
        return "NET_BASIC";
    case MFT_DEV_BLOCK_BASIC:
        return "BLOCK_BASIC";
    case MFT_RUNNC_VOLUME:
        return "RUNNC_VOLUME";
    default:
        return "reserved";
    }
}

static int check_manifest(const struct mft *m, size_t size, char *err, size_t errlen)
{
    if (size < sizeof(*m))
        return fail(err, errlen, "the Solo5 manifest is truncated");
    if (m->version != MFT_VERSION)
        return fail(err, errlen, "Solo5 manifest version %u is not supported (only %u)",
                    m->version, MFT_VERSION);
    if (m->entries < 1 || m->entries > MFT_MAX_ENTRIES || size != MFT_SIZE(m->entries))
        return fail(err, errlen, "the Solo5 manifest's size does not match its %u entries",
                    m->entries);
    if (m->e[0].type != MFT_RESERVED_FIRST || m->e[0].name[0] != '\0')
        return fail(err, errlen, "the Solo5 manifest does not start with its reserved entry");
    for (uint32_t i = 0; i < m->entries; i++) {
        const struct mft_entry *e = &m->e[i];
        if (memchr(e->name, '\0', MFT_NAME_SIZE) == NULL)
            return fail(err, errlen, "Solo5 manifest entry %u has an unterminated name", i);
        /* The byte, not the bool: a file can hold any value there. */
        if (((const uint8_t *)e)[offsetof(struct mft_entry, attached)] != 0)
            return fail(err, errlen, "Solo5 manifest entry %u is marked attached in the file", i);
        if (e->type >= MFT_RESERVED_FIRST && !mft_is_device(e->type))
            continue;
        if (!mft_is_device(e->type))
            return fail(err, errlen, "Solo5 manifest entry %u has unknown device type %u", i,
                        e->type);
        if (e->name[0] == '\0')
            return fail(err, errlen, "Solo5 manifest entry %u is a device without a name", i);
        /* --block:NAME names a slot or a BLOCK_BASIC device alike, so the
         * two kinds share one namespace. */
        for (uint32_t j = 1; j < i; j++) {
            const struct mft_entry *o = &m->e[j];
            bool same_kind = o->type == e->type || (mft_is_block(o->type) && mft_is_block(e->type));
            if (same_kind && strcmp(o->name, e->name) == 0)
                return fail(err, errlen, "the Solo5 manifest declares %s device '%.67s' twice",
                            o->type == e->type ? mft_type_name(e->type) : "block", e->name);
        }
    }
    return 0;
}

/* One note, whose descriptor is desc[0, descsz). */
static int take_note(const char *name, uint32_t namesz, uint32_t type, const uint8_t *desc,
                     uint32_t descsz, struct guest_notes *n, char *err, size_t errlen)
{
    if (namesz == sizeof(SOLO5_NOTE_OWNER) && memcmp(name, SOLO5_NOTE_OWNER, namesz) == 0) {
        if (type == SOLO5_NOTE_ABI1) {
            struct solo5_abi1_desc abi;
            if (n->solo5)
                return fail(err, errlen, "the ELF has two Solo5 ABI notes");
            if (descsz < sizeof(abi) || descsz > 2 * sizeof(abi))
                return fail(err, errlen, "the Solo5 ABI note has a bad size (%u bytes)", descsz);
            memcpy(&abi, desc, sizeof(abi));
            n->solo5 = true;
            n->abi_target = abi.target;
            n->abi_version = abi.version;
        } else if (type == SOLO5_NOTE_MFT1) {
            if (n->mft_size)
                return fail(err, errlen, "the ELF has two Solo5 manifests");
            if (descsz < MFT1_DESC_PAD + sizeof(struct mft) ||
                descsz - MFT1_DESC_PAD > sizeof(n->mft.bytes))
                return fail(err, errlen, "the Solo5 manifest has a bad size (%u bytes)", descsz);
            n->mft_size = descsz - MFT1_DESC_PAD;
            memcpy(n->mft.bytes, desc + MFT1_DESC_PAD, n->mft_size);
            if (check_manifest(&n->mft.m, n->mft_size, err, errlen) < 0)
                return -1;
        }
    } else if (namesz == sizeof(RUNNC_NOTE_OWNER) &&
               memcmp(name, RUNNC_NOTE_OWNER, namesz) == 0 && type == RUNNC_NOTE_CONFIG) {
        uint32_t v;
        if (descsz != sizeof(v))
            return fail(err, errlen, "the runnc CONFIG note has a bad size (%u bytes)", descsz);
        memcpy(&v, desc, sizeof(v));
        n->runnc_config = v == 1;
    }
    return 0; /* anybody else's note: not ours to judge */
}

/* Walks the notes of one PT_NOTE segment, seg[0, len). */
static int walk_notes(const uint8_t *seg, uint64_t len, struct guest_notes *n, char *err,
                      size_t errlen)
{
    uint64_t off = 0;
    while (off < len) {
        Elf64_Nhdr h;
        if (len - off < sizeof(h))
            return fail(err, errlen, "an ELF note is truncated");
        memcpy(&h, seg + off, sizeof(h));
        off += sizeof(h);
        uint64_t name_end = align4(h.n_namesz), desc_end;
        if (name_end > len - off)
            return fail(err, errlen, "an ELF note's name runs past its segment");
        const char *name = (const char *)seg + off;
        off += name_end;
        desc_end = align4(h.n_descsz);
        if (desc_end > len - off)
            return fail(err, errlen, "an ELF note's descriptor runs past its segment");
        if (take_note(name, h.n_namesz, h.n_type, seg + off, h.n_descsz, n, err, errlen) < 0)
            return -1;
        off += desc_end;
    }
    return 0;
}

int notes_parse(const uint8_t *buf, size_t size, struct guest_notes *n, char *err, size_t errlen)
{
    Elf64_Ehdr eh;

    memset(n, 0, sizeof(*n));
    if (elf_check_header(buf, size, err, errlen) < 0)
        return -1;
    memcpy(&eh, buf, sizeof(eh));
    for (unsigned i = 0; i < eh.e_phnum; i++) {
        Elf64_Phdr ph = elf_phdr(buf, i);
        if (ph.p_type != PT_NOTE)
            continue;
        if (ph.p_offset > size || size - ph.p_offset < ph.p_filesz)
            return fail(err, errlen, "ELF note segment %u lies outside the file", i);
        if (walk_notes(buf + ph.p_offset, ph.p_filesz, n, err, errlen) < 0)
            return -1;
    }
    if (n->mft_size && !n->solo5)
        return fail(err, errlen, "the ELF has a Solo5 manifest but no Solo5 ABI note");
    if (n->solo5 && !n->mft_size)
        return fail(err, errlen, "the ELF has a Solo5 ABI note but no manifest");
    return 0;
}
