/*
 * guard_call(fn, guard): call fn() so that an exception inside it comes
 * back here as a result instead of a crash.  trap() (kernel/trap.c) sees
 * active_guard, records the vector and EIP in *guard and resumes at
 * guard_resume, which puts back the stack and registers saved at the call
 * and returns NULL.  Used around backend init (kernel/kparavirt.c), where
 * foreign code such as a VMI ROM runs for the first time.  Boot CPU only,
 * before any AP starts; one guard at a time.
 */
	.text
	.globl guard_call
	.type guard_call, @function
guard_call:                             /* regparm: eax = fn, edx = guard */
	pushl %ebp
	pushl %ebx
	pushl %esi
	pushl %edi
	movl %esp, (%edx)               /* guard->esp (struct fault_guard, kernel/trap.h) */
	movl %edx, active_guard
	call *%eax
	movl $0, active_guard
	jmp 1f

	.globl guard_resume
guard_resume:                           /* entered by iret from trap(): any stack */
	cli
	movl active_guard, %edx
	movl $0, active_guard
	movl (%edx), %esp
	xorl %eax, %eax
	cld
1:	popl %edi
	popl %esi
	popl %ebx
	popl %ebp
	ret
	.size guard_call, . - guard_call

	.section .bss
	.balign 4
	.globl active_guard
active_guard:
	.long 0
