/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kabi test fixture: assembly entry point, assembled WITH debug info.
 * gas then emits a DW_LANG_Mips_Assembler CU holding one DW_TAG_subprogram
 * per function (DW_AT_external, no DW_AT_decl_file, type
 * DW_TAG_unspecified_type); clang's integrated assembler emits DW_TAG_label
 * DIEs instead.
 * _start calls start_kernel. kfx_asm_cpu_relax is declared in
 * include/kfx/kernel.h and called from kernel/sched_fix.c:kfx_schedule:
 * with gcc it has both a C declaration DIE and a gas definition DIE.
 * The declared-only assembly functions are in arch/lib.S.
 */
#if defined(__x86_64__)
	.text
	.globl	_start
	.type	_start, @function
_start:
	xorl	%ebp, %ebp
	andq	$-16, %rsp
	call	start_kernel
1:	hlt
	jmp	1b
	.size	_start, .-_start

	.globl	kfx_asm_cpu_relax
	.type	kfx_asm_cpu_relax, @function
kfx_asm_cpu_relax:
	pause
	ret
	.size	kfx_asm_cpu_relax, .-kfx_asm_cpu_relax

#elif defined(__i386__)
	.text
	.globl	_start
	.type	_start, @function
_start:
	xorl	%ebp, %ebp
	andl	$-16, %esp
	call	start_kernel
1:	hlt
	jmp	1b
	.size	_start, .-_start

	.globl	kfx_asm_cpu_relax
	.type	kfx_asm_cpu_relax, @function
kfx_asm_cpu_relax:
	pause
	ret
	.size	kfx_asm_cpu_relax, .-kfx_asm_cpu_relax

#elif defined(__aarch64__)
	.text
	.globl	_start
	.type	_start, %function
_start:
	mov	x29, #0
	bl	start_kernel
1:	wfi
	b	1b
	.size	_start, .-_start

	.globl	kfx_asm_cpu_relax
	.type	kfx_asm_cpu_relax, %function
kfx_asm_cpu_relax:
	yield
	ret
	.size	kfx_asm_cpu_relax, .-kfx_asm_cpu_relax

#elif defined(__s390x__)
	.text
	.globl	_start
	.type	_start, @function
_start:
	brasl	%r14, start_kernel
1:	j	1b
	.size	_start, .-_start

	.globl	kfx_asm_cpu_relax
	.type	kfx_asm_cpu_relax, @function
kfx_asm_cpu_relax:
	br	%r14
	.size	kfx_asm_cpu_relax, .-kfx_asm_cpu_relax

#else
#error "unsupported architecture"
#endif

	.section .note.GNU-stack, "", %progbits
