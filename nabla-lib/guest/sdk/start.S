/*
 * The guest's entry point. A Solo5 spt tender jumps here with %rdi = struct
 * spt_boot_info and %rsp = mem_size - 8, as if _start had been called; the
 * stack is realigned before calling C all the same, in case a tender does
 * otherwise. .bss is zeroed first: no global may be written before that
 * (the loader maps it, but this code does not trust that it left it
 * clean, and solo5-spt skips a segment with no file bytes). Then
 * C takes over and never comes back.
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
