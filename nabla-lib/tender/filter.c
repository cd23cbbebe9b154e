/*
 * Rules -> classic BPF, and rules -> text. See filter.h.
 *
 * Program shape:
 *     if arch != x86_64: kill          (i386 numbering differs: 5 is open)
 *     if nr >= __X32_SYSCALL_BIT: kill (x32 numbers alias x86_64 ones)
 *     for each rule:
 *         if nr == rule.nr and every condition holds: allow
 *     kill
 * Each rule is one block; a failed test jumps to the end of its block, which
 * is the start of the next rule, so two rules may share a syscall number
 * (write on fd 1, write on the tap). Arguments are 64-bit and BPF words are
 * 32-bit: every condition compares both halves (the kernel truncates an fd
 * to 32 bits, so fd 1|1<<32 must not pass as anything but itself).
 */
#include <stddef.h>
#include <string.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <asm/unistd.h>

#include "filter.h"
#include "tender.h"

void filter_add_rule(struct filter *f, long nr, const char *name, uint32_t action,
                     const char *errno_name, const struct filter_cond *cond, size_t ncond)
{
    if (f->nrules == FILTER_MAX_RULES || ncond > FILTER_MAX_CONDS)
        die("internal error: filter rule table too small for %s", name);
    struct filter_rule *r = &f->rule[f->nrules++];
    r->nr = nr;
    r->name = name;
    r->action = action;
    r->errno_name = errno_name;
    r->ncond = (unsigned)ncond;
    memcpy(r->cond, cond, ncond * sizeof(*cond));
}

void filter_add_any(struct filter *f, long nr, const char *name)
{
    filter_add_rule(f, nr, name, SECCOMP_RET_ALLOW, NULL, NULL, 0);
}

#define ARG_LO(i) ((uint32_t)(offsetof(struct seccomp_data, args) + 8 * (i)))
#define ARG_HI(i) (ARG_LO(i) + 4) /* x86-64 is little-endian */
#define LO32(v)   ((uint32_t)(v))
#define HI32(v)   ((uint32_t)((v) >> 32))

static size_t cond_len(const struct filter_cond *c)
{
    switch (c->op) {
    case ARG_EQ:
        return 4;
    case ARG_LE:
        return 5;
    case ARG_ALIGNED:
        return 4;
    }
    die("internal error: bad filter condition");
}

struct emitter {
    struct sock_filter *prog;
    size_t n;
};

static void emit(struct emitter *e, uint16_t code, uint32_t k, uint8_t jt, uint8_t jf)
{
    if (e->n == FILTER_MAX_INSNS)
        die("internal error: seccomp program too long");
    e->prog[e->n++] = (struct sock_filter)BPF_JUMP(code, k, jt, jf);
}

/* Relative jump from the next instruction to fail (absolute index). */
static uint8_t to(const struct emitter *e, size_t fail)
{
    size_t off = fail - (e->n + 1);
    if (off > 255)
        die("internal error: seccomp jump out of range");
    return (uint8_t)off;
}

static void emit_cond(struct emitter *e, const struct filter_cond *c, size_t fail)
{
    uint32_t lo = ARG_LO(c->arg), hi = ARG_HI(c->arg);
    uint64_t mask;

    switch (c->op) {
    case ARG_EQ:
        emit(e, BPF_LD | BPF_W | BPF_ABS, hi, 0, 0);
        emit(e, BPF_JMP | BPF_JEQ | BPF_K, HI32(c->val), 0, to(e, fail));
        emit(e, BPF_LD | BPF_W | BPF_ABS, lo, 0, 0);
        emit(e, BPF_JMP | BPF_JEQ | BPF_K, LO32(c->val), 0, to(e, fail));
        return;
    case ARG_LE:
        /* hi > vhi: fail; hi < vhi: pass (skip the low word); else compare lo */
        emit(e, BPF_LD | BPF_W | BPF_ABS, hi, 0, 0);
        emit(e, BPF_JMP | BPF_JGT | BPF_K, HI32(c->val), to(e, fail), 0);
        emit(e, BPF_JMP | BPF_JEQ | BPF_K, HI32(c->val), 0, 2);
        emit(e, BPF_LD | BPF_W | BPF_ABS, lo, 0, 0);
        emit(e, BPF_JMP | BPF_JGT | BPF_K, LO32(c->val), to(e, fail), 0);
        return;
    case ARG_ALIGNED:
        mask = c->val - 1;
        emit(e, BPF_LD | BPF_W | BPF_ABS, lo, 0, 0);
        emit(e, BPF_JMP | BPF_JSET | BPF_K, LO32(mask), to(e, fail), 0);
        emit(e, BPF_LD | BPF_W | BPF_ABS, hi, 0, 0);
        emit(e, BPF_JMP | BPF_JSET | BPF_K, HI32(mask), to(e, fail), 0);
        return;
    }
}

size_t filter_build(const struct filter *f, struct sock_filter prog[FILTER_MAX_INSNS])
{
    struct emitter e = { .prog = prog };
    const uint32_t nr = offsetof(struct seccomp_data, nr);
    const uint32_t arch = offsetof(struct seccomp_data, arch);

    emit(&e, BPF_LD | BPF_W | BPF_ABS, arch, 0, 0);
    emit(&e, BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0);
    emit(&e, BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS, 0, 0);
    emit(&e, BPF_LD | BPF_W | BPF_ABS, nr, 0, 0);
    emit(&e, BPF_JMP | BPF_JGE | BPF_K, __X32_SYSCALL_BIT, 0, 1);
    emit(&e, BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS, 0, 0);

    for (unsigned i = 0; i < f->nrules; i++) {
        const struct filter_rule *r = &f->rule[i];
        size_t end = e.n + 3; /* load nr, compare nr, ..., allow */
        for (unsigned c = 0; c < r->ncond; c++)
            end += cond_len(&r->cond[c]);

        emit(&e, BPF_LD | BPF_W | BPF_ABS, nr, 0, 0);
        emit(&e, BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)r->nr, 0, to(&e, end));
        for (unsigned c = 0; c < r->ncond; c++)
            emit_cond(&e, &r->cond[c], end);
        emit(&e, BPF_RET | BPF_K, r->action, 0, 0);
        if (e.n != end)
            die("internal error: seccomp rule %s has the wrong length", r->name);
    }
    /* Not killed outright: verdict.c names the syscall, then dies by SIGSYS. */
    emit(&e, BPF_RET | BPF_K, SECCOMP_RET_TRAP, 0, 0);
    return e.n;
}

static void print_cond(const struct filter_cond *c, FILE *out)
{
    switch (c->op) {
    case ARG_EQ:
        if (c->val_name)
            fprintf(out, "%s=%s", c->arg_name, c->val_name);
        else
            fprintf(out, "%s=%llu", c->arg_name, (unsigned long long)c->val);
        return;
    case ARG_LE:
        fprintf(out, "%s<=%llu", c->arg_name, (unsigned long long)c->val);
        return;
    case ARG_ALIGNED:
        fprintf(out, "%s%%%llu=0", c->arg_name, (unsigned long long)c->val);
        return;
    }
}

void filter_print(const struct filter *f, FILE *out)
{
    fprintf(out, "# nabla-run seccomp allowlist: x86_64 only, x32 syscalls killed,\n"
                 "# arguments compared as full 64-bit values; anything else kills the process\n"
                 "# (by SIGSYS, after one console line naming the syscall)\n");
    for (unsigned i = 0; i < f->nrules; i++) {
        const struct filter_rule *r = &f->rule[i];
        fprintf(out, "%s(", r->name);
        if (r->ncond == 0)
            fprintf(out, "*");
        for (unsigned c = 0; c < r->ncond; c++) {
            if (c)
                fprintf(out, ", ");
            print_cond(&r->cond[c], out);
        }
        fprintf(out, ")");
        if (r->errno_name)
            fprintf(out, " -> fails with %s", r->errno_name);
        fprintf(out, "\n");
    }
}
