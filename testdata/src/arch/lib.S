/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kabi test fixture: assembly library functions, assembled WITHOUT debug
 * info (gen.sh passes -g0 for this file), so no DWARF CU describes them.
 * Case "declared in C, defined in assembly": kfx_asm_read_tsc, memset and
 * memcpy are declared in include/kfx/kernel.h; C CUs that call them hold
 * only a declaration DIE (DW_AT_declaration) plus call sites, like the
 * kernel's memcpy in DepSurf ("In None (0)", "Location: None").
 * kfx_asm_read_tsc is called from init/main.c:start_kernel, memset from
 * mm/vmalloc_fix.c:kfx_alloc; memcpy is only there in case a compiler
 * emits a call to it.
 */
#if defined(__x86_64__)
	.text
	.globl	kfx_asm_read_tsc
	.type	kfx_asm_read_tsc, @function
kfx_asm_read_tsc:
	rdtsc
	shlq	$32, %rdx
	orq	%rdx, %rax
	ret
	.size	kfx_asm_read_tsc, .-kfx_asm_read_tsc

	.globl	memset
	.type	memset, @function
memset:
	movq	%rdi, %r9
	movl	%esi, %eax
	movq	%rdx, %rcx
	rep stosb
	movq	%r9, %rax
	ret
	.size	memset, .-memset

	.globl	memcpy
	.type	memcpy, @function
memcpy:
	movq	%rdi, %rax
	movq	%rdx, %rcx
	rep movsb
	ret
	.size	memcpy, .-memcpy

#elif defined(__i386__)
	.text
	.globl	kfx_asm_read_tsc
	.type	kfx_asm_read_tsc, @function
kfx_asm_read_tsc:
	rdtsc
	ret
	.size	kfx_asm_read_tsc, .-kfx_asm_read_tsc

	.globl	memset
	.type	memset, @function
memset:
	pushl	%edi
	movl	8(%esp), %edi
	movl	12(%esp), %eax
	movl	16(%esp), %ecx
	movl	%edi, %edx
	rep stosb
	movl	%edx, %eax
	popl	%edi
	ret
	.size	memset, .-memset

	.globl	memcpy
	.type	memcpy, @function
memcpy:
	pushl	%edi
	pushl	%esi
	movl	12(%esp), %edi
	movl	16(%esp), %esi
	movl	20(%esp), %ecx
	movl	%edi, %eax
	rep movsb
	popl	%esi
	popl	%edi
	ret
	.size	memcpy, .-memcpy

#elif defined(__aarch64__)
	.text
	.globl	kfx_asm_read_tsc
	.type	kfx_asm_read_tsc, %function
kfx_asm_read_tsc:
	mrs	x0, cntvct_el0
	ret
	.size	kfx_asm_read_tsc, .-kfx_asm_read_tsc

	.globl	memset
	.type	memset, %function
memset:
	mov	x3, x0
	cbz	x2, 2f
1:	strb	w1, [x3], #1
	subs	x2, x2, #1
	b.ne	1b
2:	ret
	.size	memset, .-memset

	.globl	memcpy
	.type	memcpy, %function
memcpy:
	mov	x3, x0
	cbz	x2, 2f
1:	ldrb	w4, [x1], #1
	strb	w4, [x3], #1
	subs	x2, x2, #1
	b.ne	1b
2:	ret
	.size	memcpy, .-memcpy

#elif defined(__s390x__)
	.text
	.globl	kfx_asm_read_tsc
	.type	kfx_asm_read_tsc, @function
kfx_asm_read_tsc:
	lghi	%r2, 0
	br	%r14
	.size	kfx_asm_read_tsc, .-kfx_asm_read_tsc

	.globl	memset
	.type	memset, @function
memset:
	lgr	%r1, %r2
	ltgr	%r4, %r4
	jz	2f
1:	stc	%r3, 0(%r1)
	la	%r1, 1(%r1)
	brctg	%r4, 1b
2:	br	%r14
	.size	memset, .-memset

	.globl	memcpy
	.type	memcpy, @function
memcpy:
	lgr	%r1, %r2
	ltgr	%r4, %r4
	jz	2f
1:	ic	%r0, 0(%r3)
	stc	%r0, 0(%r1)
	la	%r1, 1(%r1)
	la	%r3, 1(%r3)
	brctg	%r4, 1b
2:	br	%r14
	.size	memcpy, .-memcpy

#else
#error "unsupported architecture"
#endif

	.section .note.GNU-stack, "", %progbits
