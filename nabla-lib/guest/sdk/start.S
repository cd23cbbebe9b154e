/*
 * The guest's entry point. The tender jumps here with %rdi = boot info and
 * %rsp = stack_top (16-byte aligned). .bss is zeroed first: no global may
 * be written before that (the loader maps it, but this code does not trust
 * that it left it clean). Then C takes over and never comes back.
 */
    .section .text.start, "ax", @progbits
    .globl _start
    .type _start, @function
_start:
    mov %rdi, %rbx              /* keep the boot info across the clear */
    lea __bss_start(%rip), %rdi
    lea __bss_end(%rip), %rcx
    sub %rdi, %rcx
    xor %eax, %eax
    cld
    rep stosb
    mov %rbx, %rdi
    xor %ebp, %ebp              /* the outermost frame, for backtraces */
    and $-16, %rsp
    call nb_start               /* _Noreturn */
    ud2
    .size _start, . - _start

    .section .note.GNU-stack, "", @progbits
