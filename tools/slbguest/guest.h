/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * slbguest: what the VMM (vmm.c) and the guest payload (guest.S) agree on:
 * guest physical layout, the per-vcpu area, private hcall numbers.
 * Included from C and from assembly, so constants only.
 *
 * Guest physical memory (slot 0 from GPA 0, slot 1 after it):
 *
 *   0x0000            payload: interrupt vectors 0x100-0x1fff, entry 0x2000
 *   0x8000 + 0x400*v  per-vcpu area of vcpu v (parameters, counters, SLB
 *                     shadow, save area)
 *   0x10000           code pages: vcpu v page j at
 *                     SLBG_LOW_SIZE + (v * M + j) * SLBG_STRIDE
 *   after the code    data pages (slot 1): vcpu v page i at
 *                     data_base + (v * N + i) * SLBG_STRIDE
 *
 * Each guest "page" is one 4K HPTE at the start of a 64K stride, so every
 * page is a distinct host page (64K or 4K host page size).
 *
 * Guest effective addresses once relocation is on (256M segments, 4K pages):
 *   ESID 0  0x00000000  the low region, EA == GPA (payload, vcpu areas)
 *   ESID 1  0x10000000  data page i at 0x10000000 + i * SLBG_STRIDE
 *   ESID 2  0x20000000  code page j at 0x20000000 + j * SLBG_STRIDE
 *   ESID 3  0x30000000  decoy segment, no pages (--hw-stale-erat)
 */
#ifndef SLBGUEST_GUEST_H
#define SLBGUEST_GUEST_H

#define SLBG_ENTRY		0x2000
#define SLBG_PAYLOAD_MAX	0x8000
#define SLBG_VCPU_AREA		0x8000
#define SLBG_VCPU_AREA_SIZE	0x400
#define SLBG_MAX_VCPUS		32
#define SLBG_LOW_SIZE		0x10000		/* mapped by 16 4K HPTEs per vcpu */
#define SLBG_STRIDE		0x10000
#define SLBG_DATA_EA		0x10000000
#define SLBG_CODE_EA		0x20000000
#define SLBG_DECOY_EA		0x30000000

/* Per-vcpu area: parameters written by the VMM */
#define VA_VCPU			0x00
#define VA_NDATA		0x08
#define VA_NCODE		0x10
#define VA_HPTMASK		0x18	/* PTEG index mask: (1 << (order - 7)) - 1 */
#define VA_DATA_GPA		0x20	/* this vcpu's first data page */
#define VA_CODE_GPA		0x28	/* this vcpu's first code page */
#define VA_VSID			0x30	/* 4 x u64: VSID of ESID 0, 1, 2, 3 */
#define VA_FLAGS		0x50
#define  SLBG_FLAG_STALE_ERAT	0x1
#define  SLBG_FLAG_PACE		0x2	/* hcall from every DSegI/ISegI handler */
#define  SLBG_FLAG_DUP_TEST	0x4	/* --dup-test: reload before the check */
/* Counters kept by the guest */
#define VA_CNT_DSEGI		0x80
#define VA_CNT_ISEGI		0x88
#define VA_CNT_DSI		0x90
#define VA_CNT_ISI		0x98
#define VA_CNT_OTHER		0xa0
#define VA_CNT_HCALL		0xa8
#define VA_CNT_PASS		0xb0
#define VA_CNT_STUB		0xb8	/* code-page stub executions */
/*
 * SLB shadow, 5 x { u64 rb (ESID|V|slot), u64 rs (VSID|flags) }:
 * [0] ESID 0 slot 1, [1] ESID 1 slot 2, [2] ESID 2 slot 3,
 * [3] decoy ESID 3 in slot 2, [4] decoy ESID 3 in slot 3.
 */
#define VA_SLB			0x100
#define SLBG_NSEG		3	/* ESIDs the segment handlers reload */
/*
 * Handler save area, 16 x u64: r3 r4 r5 cr, then r0 r6-r12 ctr xer srr0
 * srr1 (the SLB check uses r7-r10 and ctr; --pace makes an hcall, which
 * clobbers SRR0/SRR1 too: sc 1 is an interrupt)
 */
#define VA_SAVE			0x180
/* SLB entries the segment handlers check (POWER8 and POWER9 have 32) */
#define SLBG_SLB_SIZE		32

/*
 * Hcalls. H_ENTER is handled by KVM in the kernel; the private ones are
 * above MAX_HCALL_OPCODE and unknown to KVM, so KVM-HV passes them to
 * userspace as KVM_EXIT_PAPR_HCALL. Not 0xf000-0xf0ff (H_RTAS, QEMU's
 * KVMPPC_H_*, 24x7) nor 0xf800-0xf80c (nested HV: H_SET_PARTITION_TABLE
 * etc., which KVM answers itself with H_FUNCTION).
 */
#define SLBG_H_ENTER		0x08
#define SLBG_H_PUT_TERM_CHAR	0x58
#define SLBG_HC_PASS		0xf200	/* r4 = passes done; ret 1 = go on */
#define SLBG_HC_EVENT		0xf204	/* r4 vector r5 srr0 r6 srr1 r7 dar r8 dsisr */
#define SLBG_HC_FAIL		0xf208	/* r4 reason r5 rc r6 ea */
#define SLBG_HC_REPORT		0xf20c	/* r4..r11 counters, r12 status */
#define SLBG_HC_SEG		0xf210	/* --pace: r4 vector, r5 ea */
#define  SLBG_FAIL_H_ENTER	1	/* r5 rc r6 ea */
#define  SLBG_FAIL_SLB_DUP	2	/* r5 entries (+ 0x100: after the reload)
					 * r6 ea r7 vector */
#define  SLBG_STATUS_OK		0
#define  SLBG_STATUS_STOPPED	1	/* stopped on an unexpected interrupt */

#endif /* SLBGUEST_GUEST_H */
