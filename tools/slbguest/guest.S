/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * slbguest guest payload: a tiny ppc64le HPT guest for KVM-HV.
 *
 * The VMM copies slbg_payload_start..slbg_payload_end to guest physical 0
 * and starts every vcpu at SLBG_ENTRY in real mode (MSR SF|ME|LE) with
 * r3 = SPRG0 = its per-vcpu area (guest.h). Interrupts arrive in real mode
 * (LPCR AIL=0, ILE=1). All addresses are offsets from the payload start,
 * which is guest physical 0, and the low segment is mapped with EA == GPA,
 * so the same addresses work with relocation off and on.
 *
 * Flow of one vcpu:
 *   1. build its SLB shadow (guest.h) and slbmte ESIDs 0, 1, 2;
 *   2. H_ENTER 4K HPTEs: 16 for the low 64K, then N data pages, M code
 *      pages (the VMM has dropped the host pages, so KVM enters the data
 *      and code HPTEs as absent: the first access to each takes an
 *      HDSI/HISI with relocation on);
 *   3. rfid to MSR IR|DR;
 *   4. each pass: store to every data page, call the stub in every code
 *      page, then SLBG_HC_PASS; the VMM drops the host pages again before
 *      answering "go on", so every pass faults again;
 *   5. SLBG_HC_REPORT with its counters.
 *
 * Handlers: 0x380 DSegI / 0x480 ISegI count, slbmte the shadow entry for
 * the faulting ESID (DAR / SRR0) and rfid to retry. They check that the SLB
 * held no entry for the ESID before the reload and exactly one after it,
 * and fail the run (SLBG_HC_FAIL) otherwise. 0x300 DSI, 0x400 ISI and every
 * other vector count, report SLBG_HC_EVENT and stop with SLBG_HC_REPORT
 * status SLBG_STATUS_STOPPED.
 *
 * Registers in the main flow: r13 per-vcpu area, r20 stub executions,
 * r21 passes, r14-r25 locals. Hcalls clobber r0, r3-r12, CTR, XER, CR0.
 */
#include "guest.h"

#define SPRN_DSISR	18
#define SPRN_DAR	19
#define SPRN_SRR0	26
#define SPRN_SRR1	27
#define SPRN_SPRG0	272
#define SPRN_SPRG1	273

#define MSR_IR		0x20
#define MSR_DR		0x10
#define SLB_ESID_V	0x0800		/* oris immediate: 0x08000000 */
#define HPTE_V_VALID	0x1
#define HPTE_R_BITS	0x192		/* R | C | M | PP=0b10 */
#define HPTE_R_BITS_NOC	0x112		/* R | M | PP=0b10 (no C: --hw-stale-erat) */

#define OFF(sym)	((sym) - slbg_payload_start)

/* 32-bit unsigned immediate into a register */
.macro LI32 reg, val
	lis	\reg, (\val) >> 16
	ori	\reg, \reg, (\val) & 0xffff
.endm

/* count the hcall in the vcpu area (r13), then make it; uses r0 */
.macro HCALL
	ld	r0, VA_CNT_HCALL(r13)
	addic	r0, r0, 1
	std	r0, VA_CNT_HCALL(r13)
	sc	1
.endm

.macro INC off, reg
	ld	\reg, \off(r13)
	addi	\reg, \reg, 1
	std	\reg, \off(r13)
.endm

/*
 * r8 = how many valid SLB entries have the ESID|V in r9.
 * Uses r7, r10, ctr and cr0.
 */
.macro SLB_COUNT
	li	r8, 0
	li	r10, SLBG_SLB_SIZE
	mtctr	r10
	li	r10, 0
1:	slbmfee	r7, r10
	rldicr	r7, r7, 0, 36		/* ESID and V */
	cmpd	r7, r9
	bne	2f
	addi	r8, r8, 1
2:	addi	r10, r10, 1
	bdnz	1b
.endm

/*
 * A segment interrupt: save what seg_reload uses, count it, and reload the
 * SLB entry for the address in 'addr_spr' (DAR or SRR0) before retrying.
 */
.macro SEG_VEC cnt, vec, addr_spr
	mtspr	SPRN_SPRG1, r13
	mfspr	r13, SPRN_SPRG0
	std	r3, VA_SAVE + 0(r13)
	std	r4, VA_SAVE + 8(r13)
	std	r5, VA_SAVE + 16(r13)
	std	r6, VA_SAVE + 40(r13)
	mfcr	r3
	std	r3, VA_SAVE + 24(r13)
	INC	\cnt, r4
	li	r5, \vec
	mfspr	r3, \addr_spr
	b	seg_reload
.endm

.macro OTHER_VEC v
	.org	\v
	mtspr	SPRN_SPRG1, r13
	mfspr	r13, SPRN_SPRG0
	li	r3, \v
	b	other_common
.endm

	.section .slbguest_payload, "a"
	.balign	4096
	.globl	slbg_payload_start
	.globl	slbg_payload_end
	.globl	slbg_code_stub
	.globl	slbg_code_stub_end
slbg_payload_start:

	.irp v, 0x100,0x120,0x140,0x160,0x180,0x1a0,0x1c0,0x1e0
	OTHER_VEC \v
	.endr
	.irp v, 0x200,0x220,0x240,0x260,0x280,0x2a0,0x2c0,0x2e0
	OTHER_VEC \v
	.endr

/* 0x300 Data Storage: unexpected */
	.org	0x300
	mtspr	SPRN_SPRG1, r13
	mfspr	r13, SPRN_SPRG0
	INC	VA_CNT_DSI, r3
	li	r3, 0x300
	b	report_and_stop

/* 0x380 Data Segment: reload the SLB entry for DAR and retry */
	.org	0x380
	SEG_VEC	VA_CNT_DSEGI, 0x380, SPRN_DAR

/* 0x400 Instruction Storage: unexpected */
	.org	0x400
	mtspr	SPRN_SPRG1, r13
	mfspr	r13, SPRN_SPRG0
	INC	VA_CNT_ISI, r3
	li	r3, 0x400
	b	report_and_stop

/* 0x480 Instruction Segment: reload the SLB entry for SRR0 and retry */
	.org	0x480
	SEG_VEC	VA_CNT_ISEGI, 0x480, SPRN_SRR0

	.irp v, 0x500,0x520,0x540,0x560,0x580,0x5a0,0x5c0,0x5e0
	OTHER_VEC \v
	.endr
	.irp v, 0x600,0x620,0x640,0x660,0x680,0x6a0,0x6c0,0x6e0
	OTHER_VEC \v
	.endr
	.irp v, 0x700,0x720,0x740,0x760,0x780,0x7a0,0x7c0,0x7e0
	OTHER_VEC \v
	.endr
	.irp v, 0x800,0x820,0x840,0x860,0x880,0x8a0,0x8c0,0x8e0
	OTHER_VEC \v
	.endr
	.irp v, 0x900,0x920,0x940,0x960,0x980,0x9a0,0x9c0,0x9e0
	OTHER_VEC \v
	.endr
	.irp v, 0xa00,0xa20,0xa40,0xa60,0xa80,0xaa0,0xac0,0xae0
	OTHER_VEC \v
	.endr
	.irp v, 0xb00,0xb20,0xb40,0xb60,0xb80,0xba0,0xbc0,0xbe0
	OTHER_VEC \v
	.endr
	.irp v, 0xc00,0xc20,0xc40,0xc60,0xc80,0xca0,0xcc0,0xce0
	OTHER_VEC \v
	.endr
	.irp v, 0xd00,0xd20,0xd40,0xd60,0xd80,0xda0,0xdc0,0xde0
	OTHER_VEC \v
	.endr
	.irp v, 0xe00,0xe20,0xe40,0xe60,0xe80,0xea0,0xec0,0xee0
	OTHER_VEC \v
	.endr
	.irp v, 0xf00,0xf20,0xf40,0xf60,0xf80,0xfa0,0xfc0,0xfe0
	OTHER_VEC \v
	.endr
	.irp v, 0x1000,0x1100,0x1200,0x1300,0x1400,0x1500,0x1600,0x1700
	OTHER_VEC \v
	.endr
	.irp v, 0x1800,0x1900,0x1a00,0x1b00,0x1c00,0x1d00,0x1e00,0x1f00
	OTHER_VEC \v
	.endr


/* ---------------------------------------------------------------------- */
	.org	SLBG_ENTRY
entry:
	mr	r13, r3
	mtspr	SPRN_SPRG0, r13
	li	r20, 0
	li	r21, 0

	/* SLB shadow [0..2]: ESID e in slot e + 1 */
	li	r14, 0
1:	sldi	r4, r14, 3
	add	r4, r4, r13
	ld	r5, VA_VSID(r4)
	sldi	r5, r5, 12		/* rs: VSID, Ks=Kp=0, 256M, 4K */
	sldi	r6, r14, 28
	oris	r6, r6, SLB_ESID_V
	addi	r7, r14, 1
	or	r6, r6, r7		/* rb: ESID | V | slot */
	sldi	r8, r14, 4
	add	r8, r8, r13
	std	r6, VA_SLB + 0(r8)
	std	r5, VA_SLB + 8(r8)
	addi	r14, r14, 1
	cmpldi	r14, SLBG_NSEG
	blt	1b
	/* [3] decoy ESID 3 in slot 2, [4] decoy ESID 3 in slot 3 */
	ld	r5, VA_VSID + 24(r13)
	sldi	r5, r5, 12
	lis	r6, (SLBG_DECOY_EA >> 16) | SLB_ESID_V
	ori	r7, r6, 2
	std	r7, VA_SLB + 48(r13)
	std	r5, VA_SLB + 56(r13)
	ori	r7, r6, 3
	std	r7, VA_SLB + 64(r13)
	std	r5, VA_SLB + 72(r13)

	slbia
	li	r14, 0
2:	sldi	r8, r14, 4
	add	r8, r8, r13
	ld	r4, VA_SLB + 0(r8)
	ld	r5, VA_SLB + 8(r8)
	slbmte	r5, r4
	addi	r14, r14, 1
	cmpldi	r14, SLBG_NSEG
	blt	2b
	isync

	/* HPTEs for the low region, EA == GPA */
	li	r15, 0
	lis	r18, SLBG_LOW_SIZE >> 16
3:	mr	r4, r15
	mr	r5, r15
	ld	r6, VA_VSID + 0(r13)
	li	r7, HPTE_R_BITS
	bl	enter_hpte
	addi	r15, r15, 0x1000
	cmpld	r15, r18
	blt	3b

	/* HPTEs for the data pages */
	li	r19, HPTE_R_BITS
	ld	r14, VA_FLAGS(r13)
	andi.	r0, r14, SLBG_FLAG_STALE_ERAT
	beq	4f
	li	r19, HPTE_R_BITS_NOC
4:	lis	r15, SLBG_DATA_EA >> 16
	ld	r16, VA_DATA_GPA(r13)
	ld	r18, VA_NDATA(r13)
	cmpdi	r18, 0
	beq	6f
5:	mr	r4, r15
	mr	r5, r16
	ld	r6, VA_VSID + 8(r13)
	mr	r7, r19
	bl	enter_hpte
	addis	r15, r15, SLBG_STRIDE >> 16
	addis	r16, r16, SLBG_STRIDE >> 16
	addic.	r18, r18, -1
	bne	5b

	/* HPTEs for the code pages */
6:	lis	r15, SLBG_CODE_EA >> 16
	ld	r16, VA_CODE_GPA(r13)
	ld	r18, VA_NCODE(r13)
	cmpdi	r18, 0
	beq	8f
7:	mr	r4, r15
	mr	r5, r16
	ld	r6, VA_VSID + 16(r13)
	li	r7, HPTE_R_BITS
	bl	enter_hpte
	addis	r15, r15, SLBG_STRIDE >> 16
	addis	r16, r16, SLBG_STRIDE >> 16
	addic.	r18, r18, -1
	bne	7b

	/* relocation on */
8:	li	r3, OFF(reloc_on)
	mtspr	SPRN_SRR0, r3
	mfmsr	r4
	ori	r4, r4, MSR_IR | MSR_DR
	mtspr	SPRN_SRR1, r4
	rfid

reloc_on:
pass:
	ld	r14, VA_FLAGS(r13)
	andi.	r0, r14, SLBG_FLAG_STALE_ERAT
	bne	stale_pass

	/* store to every data page */
	lis	r15, SLBG_DATA_EA >> 16
	ld	r18, VA_NDATA(r13)
	cmpdi	r18, 0
	beq	2f
1:	std	r21, 0(r15)
	addis	r15, r15, SLBG_STRIDE >> 16
	addic.	r18, r18, -1
	bne	1b
	/* run the stub in every code page */
2:	lis	r15, SLBG_CODE_EA >> 16
	ld	r18, VA_NCODE(r13)
	cmpdi	r18, 0
	beq	end_pass
3:	mtctr	r15
	bctrl
	addis	r15, r15, SLBG_STRIDE >> 16
	addic.	r18, r18, -1
	bne	3b

end_pass:
	addi	r21, r21, 1
	std	r21, VA_CNT_PASS(r13)
	std	r20, VA_CNT_STUB(r13)
	LI32	r3, SLBG_HC_PASS
	mr	r4, r21
	HCALL
	cmpdi	r3, 0
	bne	pass
	li	r12, SLBG_STATUS_OK
	b	final_report

/*
 * --hw-stale-erat: for every page, load (or execute) through its segment so
 * the ERAT holds the translation, replace the segment's SLB entry with the
 * decoy segment by slbmte WITHOUT slbie, then store (or execute) through
 * the old segment again. On POWER8 hardware a stale ERAT entry can let that
 * access reach an HDSI/HISI with no SLB entry, which KVM turns into a
 * synthesized DSegI/ISegI; where the ERAT misses (and always under QEMU,
 * which has no ERAT), the CPU delivers the segment interrupt itself. Either
 * way the guest handler reloads the entry. The entry is restored after each
 * page so the decoy ESID is never in two slots.
 */
stale_pass:
	ld	r22, VA_SLB + 16(r13)	/* data segment rb/rs */
	ld	r23, VA_SLB + 24(r13)
	ld	r24, VA_SLB + 48(r13)	/* decoy in the data slot */
	ld	r25, VA_SLB + 56(r13)
	lis	r15, SLBG_DATA_EA >> 16
	ld	r18, VA_NDATA(r13)
	cmpdi	r18, 0
	beq	2f
1:	slbmte	r23, r22
	isync
	ld	r0, 0(r15)
	slbmte	r25, r24
	isync
	std	r21, 0(r15)
	slbmte	r23, r22
	isync
	addis	r15, r15, SLBG_STRIDE >> 16
	addic.	r18, r18, -1
	bne	1b
2:	ld	r22, VA_SLB + 32(r13)	/* code segment rb/rs */
	ld	r23, VA_SLB + 40(r13)
	ld	r24, VA_SLB + 64(r13)	/* decoy in the code slot */
	ld	r25, VA_SLB + 72(r13)
	lis	r15, SLBG_CODE_EA >> 16
	ld	r18, VA_NCODE(r13)
	cmpdi	r18, 0
	beq	end_pass
3:	slbmte	r23, r22
	isync
	mtctr	r15
	bctrl
	slbmte	r25, r24
	isync
	mtctr	r15
	bctrl
	slbmte	r23, r22
	isync
	addis	r15, r15, SLBG_STRIDE >> 16
	addic.	r18, r18, -1
	bne	3b
	/* the stub ran twice per page: count passes' worth once */
	b	end_pass

/*
 * Segment handlers, common part (real mode): r3 = EA, r5 = vector,
 * r13 = area, old r3/r4/r5/r6/CR saved, old r13 in SPRG1.
 */
seg_reload:
	srdi	r4, r3, 28
	cmpldi	r4, SLBG_NSEG
	bge	seg_bad
	std	r7, VA_SAVE + 48(r13)
	std	r8, VA_SAVE + 56(r13)
	std	r9, VA_SAVE + 64(r13)
	std	r10, VA_SAVE + 72(r13)
	mfctr	r7
	std	r7, VA_SAVE + 96(r13)
	sldi	r4, r4, 4
	add	r4, r4, r13
	ld	r6, VA_SLB + 8(r4)	/* rs: VSID and flags */
	ld	r4, VA_SLB + 0(r4)	/* rb: ESID | V | slot */
	ld	r7, VA_FLAGS(r13)
	andi.	r7, r7, SLBG_FLAG_DUP_TEST
	beq	1f
	slbmte	r6, r4			/* --dup-test: as a kernel that left it */
1:	/*
	 * A segment interrupt means that no SLB entry translates the address.
	 * If one were left (a hypervisor that synthesized the interrupt but
	 * kept the entry), the reload would make a second one for the ESID:
	 * undefined, a machine check on POWER8. Fail loudly instead.
	 */
	clrrdi	r9, r3, 28
	oris	r9, r9, SLB_ESID_V
	SLB_COUNT
	cmpdi	r8, 0
	bne	seg_dup
	slbmte	r6, r4
	SLB_COUNT
	cmpdi	r8, 1
	ori	r8, r8, 0x100		/* counted after the reload */
	bne	seg_dup
	ld	r7, VA_SAVE + 96(r13)
	mtctr	r7
	ld	r10, VA_SAVE + 72(r13)
	ld	r9, VA_SAVE + 64(r13)
	ld	r8, VA_SAVE + 56(r13)
	ld	r7, VA_SAVE + 48(r13)
	ld	r4, VA_FLAGS(r13)
	andi.	r4, r4, SLBG_FLAG_PACE
	beq	seg_return
	/*
	 * --pace: one exit to the host per segment interrupt, so the kernel's
	 * real-mode event log is emitted after each one (no drops). Everything
	 * the hcall clobbers is saved, SRR0/SRR1 included; LR is untouched.
	 */
	std	r0, VA_SAVE + 32(r13)
	std	r7, VA_SAVE + 48(r13)
	std	r8, VA_SAVE + 56(r13)
	std	r9, VA_SAVE + 64(r13)
	std	r10, VA_SAVE + 72(r13)
	std	r11, VA_SAVE + 80(r13)
	std	r12, VA_SAVE + 88(r13)
	mfctr	r6
	std	r6, VA_SAVE + 96(r13)
	mfxer	r6
	std	r6, VA_SAVE + 104(r13)
	mfspr	r6, SPRN_SRR0
	std	r6, VA_SAVE + 112(r13)
	mfspr	r6, SPRN_SRR1
	std	r6, VA_SAVE + 120(r13)
	mr	r4, r5			/* vector */
	mr	r5, r3			/* EA */
	LI32	r3, SLBG_HC_SEG
	HCALL
	ld	r6, VA_SAVE + 120(r13)
	mtspr	SPRN_SRR1, r6
	ld	r6, VA_SAVE + 112(r13)
	mtspr	SPRN_SRR0, r6
	ld	r6, VA_SAVE + 104(r13)
	mtxer	r6
	ld	r6, VA_SAVE + 96(r13)
	mtctr	r6
	ld	r12, VA_SAVE + 88(r13)
	ld	r11, VA_SAVE + 80(r13)
	ld	r10, VA_SAVE + 72(r13)
	ld	r9, VA_SAVE + 64(r13)
	ld	r8, VA_SAVE + 56(r13)
	ld	r7, VA_SAVE + 48(r13)
	ld	r0, VA_SAVE + 32(r13)
seg_return:
	ld	r6, VA_SAVE + 40(r13)
	ld	r3, VA_SAVE + 24(r13)
	mtcr	r3
	ld	r5, VA_SAVE + 16(r13)
	ld	r4, VA_SAVE + 8(r13)
	ld	r3, VA_SAVE + 0(r13)
	mfspr	r13, SPRN_SPRG1
	rfid
seg_bad:				/* segment fault outside our segments */
	mr	r3, r5
	b	report_and_stop
seg_dup:				/* r8 entries, r3 EA, r5 vector */
	mr	r6, r3
	mr	r7, r5
	mr	r5, r8
	li	r4, SLBG_FAIL_SLB_DUP
	LI32	r3, SLBG_HC_FAIL
	HCALL
	b	.

other_common:				/* r3 = vector */
	INC	VA_CNT_OTHER, r4
	/* fall through */

/* r3 = vector: tell the VMM what happened, then report and stop */
report_and_stop:
	mr	r4, r3
	mfspr	r5, SPRN_SRR0
	mfspr	r6, SPRN_SRR1
	mfspr	r7, SPRN_DAR
	mfspr	r8, SPRN_DSISR
	LI32	r3, SLBG_HC_EVENT
	HCALL
	li	r12, SLBG_STATUS_STOPPED
	b	final_report

/* r12 = status. The VMM does not resume the vcpu after this hcall. */
final_report:
	mr	r14, r12
1:	ld	r4, VA_CNT_DSEGI(r13)
	ld	r5, VA_CNT_ISEGI(r13)
	ld	r6, VA_CNT_DSI(r13)
	ld	r7, VA_CNT_ISI(r13)
	ld	r8, VA_CNT_OTHER(r13)
	ld	r9, VA_CNT_HCALL(r13)
	addi	r9, r9, 1		/* this report counts too */
	ld	r10, VA_CNT_PASS(r13)
	ld	r11, VA_CNT_STUB(r13)
	mr	r12, r14
	LI32	r3, SLBG_HC_REPORT
	HCALL
	b	1b

/*
 * enter_hpte: r4 = EA, r5 = GPA, r6 = VSID, r7 = HPTE r flags.
 * 256M segment, 4K page: hash = VSID ^ (EA[36:51]); AVPN = VSID || EA[36:40].
 * Fails the run on an H_ENTER error. Clobbers r0, r3-r12, CTR, XER, CR0.
 */
enter_hpte:
	mr	r12, r4			/* EA, for the failure report */
	or	r11, r5, r7		/* HPTE r */
	clrldi	r7, r4, 36		/* offset in segment */
	srdi	r8, r7, 12
	xor	r8, r8, r6
	ld	r9, VA_HPTMASK(r13)
	and	r8, r8, r9
	sldi	r8, r8, 3		/* first HPTE of the primary PTEG */
	sldi	r10, r6, 12
	srdi	r7, r7, 16
	rldicr	r7, r7, 0, 56		/* clear the low 7 bits */
	or	r10, r10, r7
	ori	r10, r10, HPTE_V_VALID
	li	r3, SLBG_H_ENTER
	li	r4, 0			/* flags: any free slot in the PTEG */
	mr	r5, r8
	mr	r6, r10
	mr	r7, r11
	HCALL
	cmpdi	r3, 0
	beqlr
	mr	r5, r3
	mr	r6, r12
	li	r4, SLBG_FAIL_H_ENTER
	LI32	r3, SLBG_HC_FAIL
	HCALL
	b	.

/* code-page stub, copied by the VMM to the start of every code page */
	.balign	8
slbg_code_stub:
	addi	r20, r20, 1
	blr
slbg_code_stub_end:

slbg_payload_end:

	.section .note.GNU-stack, "", @progbits
