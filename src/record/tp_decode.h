/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Each event type's fields resolved once, from the recording's own format
 * text (parsed by libtraceevent), so that a record is decoded with straight
 * loads at known offsets: no lookup by name, no allocation, no library call
 * per record. The kvm_hv events kvmslb reads (include/kvmslb/abi.h: series
 * v1 and v2, and the stock kernel's) get their fields' places; every other
 * event is only known by its id.
 */
#ifndef KVMSLB_TP_DECODE_H
#define KVMSLB_TP_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/compiler.h"
#include "core/index.h"
#include "record/trace_rec.h"

enum tp_role {
	TPF_PID,		/* common_pid: the thread */
	TPF_VM_PID,		/* v2 */
	TPF_VCPU,
	TPF_CODE,		/* trap or vector */
	TPF_OUTCOME,
	TPF_LATENCY,
	TPF_INJECTED,
	TPF_DROPPED,
	TPF_DSEGI,
	TPF_ISEGI,
	TPF_FAULT_NS,
	TPF_NR
};

struct tp_loc {
	uint16_t off;
	uint8_t size;			/* 0: the event has no such field */
	bool is_signed;
};

struct tp_decoder {
	uint64_t id;
	bool kvm_hv;
	uint8_t kind;			/* enum trace_kind, for kvm_hv events */
	bool v2, missing;
	/*
	 * Every field the event has is as wide as its role's field in
	 * kvmslb's and the stock kernel's events (tp_role_width): decoded
	 * with one fixed-size load each, an absent field loaded from offset
	 * 0 and masked to 0 (need >= 8 then), no branch per field.
	 */
	bool fixed;
	uint32_t need;			/* bytes a record must hold for these fields */
	struct tp_loc f[TPF_NR];
	uint64_t mask[TPF_NR];		/* fixed: all ones, or 0 for an absent field */
	char name[48];			/* "system:event", for messages */
};

struct tep_handle;

struct tp_decoders {
	struct tep_handle *tep;		/* the formats as parsed; freed by tp_decoders_build */
	struct tp_decoder *d;
	int n;
	struct key_index by_id;
	struct tp_loc common_type;	/* trace.dat: where a record says its event id */
	uint32_t page_size;
	int long_size;
};

int tp_decoders_init(struct tp_decoders *t);
void tp_decoders_free(struct tp_decoders *t);
/*
 * One event's format text from a recording (untrusted). Only the field
 * layout is parsed; a format libtraceevent cannot parse, or one that would
 * make it crash, leaves its records undecodable. 0 or -ENOMEM.
 */
int tp_decoders_parse(struct tp_decoders *t, const char *sys, const char *text, size_t len);
/* After the last format: resolve every event's fields. 0 or -ENOMEM. */
int tp_decoders_build(struct tp_decoders *t);

static inline const struct tp_decoder *tp_decoder_find(const struct tp_decoders *t, uint64_t id)
{
	uint32_t i;

	return key_index_get(&t->by_id, id, &i) ? &t->d[i] : NULL;
}

/* The width of each role's field in the events kvmslb reads (bytes). */
static const uint8_t tp_role_width[TPF_NR] = {
	[TPF_PID] = 4, [TPF_VM_PID] = 4, [TPF_VCPU] = 4, [TPF_CODE] = 4, [TPF_OUTCOME] = 4,
	[TPF_LATENCY] = 8, [TPF_INJECTED] = 1, [TPF_DROPPED] = 4, [TPF_DSEGI] = 8,
	[TPF_ISEGI] = 8, [TPF_FAULT_NS] = 8,
};

static inline uint32_t tp_ld32(bool swap, const uint8_t *p)
{
	uint32_t x;

	memcpy(&x, p, 4);
	return swap ? __builtin_bswap32(x) : x;
}

static inline uint64_t tp_ld64(bool swap, const uint8_t *p)
{
	uint64_t x;

	memcpy(&x, p, 8);
	return swap ? __builtin_bswap64(x) : x;
}

/*
 * A kvm_hv record's fields into r (kind and fields only); false if raw is
 * too short. Inlined, so that a caller passing a constant swap gets loads
 * without a byte-order test each.
 */
static __always_inline bool tp_decode(const struct tp_decoder *d, const uint8_t *raw,
				      uint32_t size, bool swap, struct trace_rec *r)
{
#define TPF(role) rd_field(swap, raw + d->f[role].off, d->f[role].size, d->f[role].is_signed)
#define TPF_OR(role, dflt) (d->f[role].size ? TPF(role) : (dflt))
#define TPF32(role) (tp_ld32(swap, raw + d->f[role].off) & (uint32_t)d->mask[role])
#define TPF64(role) (tp_ld64(swap, raw + d->f[role].off) & d->mask[role])
	if (size < d->need)
		return false;
	r->kind = d->kind;
	r->v2 = d->v2;
	r->missing = d->missing;
	r->has_vcpu = d->f[TPF_VCPU].size;
	if (d->fixed) {
		r->vcpu_id = (int32_t)TPF32(TPF_VCPU);
		r->vm_pid = (int32_t)TPF32(TPF_VM_PID);
		r->code = TPF32(TPF_CODE);
		r->outcome = TPF32(TPF_OUTCOME);
		r->latency_ns = TPF64(TPF_LATENCY);
		r->injected = (raw[d->f[TPF_INJECTED].off] & d->mask[TPF_INJECTED]) != 0;
		r->dropped = TPF32(TPF_DROPPED);
		r->dsegi = TPF64(TPF_DSEGI);
		r->isegi = TPF64(TPF_ISEGI);
		r->fault_ns = TPF64(TPF_FAULT_NS);
		return true;
	}
	r->vcpu_id = (int32_t)TPF_OR(TPF_VCPU, 0);
	r->vm_pid = (int32_t)TPF_OR(TPF_VM_PID, 0);
	r->code = (uint32_t)TPF_OR(TPF_CODE, 0);
	r->outcome = (uint32_t)TPF_OR(TPF_OUTCOME, 0);
	r->latency_ns = TPF_OR(TPF_LATENCY, 0);
	r->injected = TPF_OR(TPF_INJECTED, 0) != 0;
	r->dropped = (uint32_t)TPF_OR(TPF_DROPPED, 0);
	r->dsegi = TPF_OR(TPF_DSEGI, 0);
	r->isegi = TPF_OR(TPF_ISEGI, 0);
	r->fault_ns = TPF_OR(TPF_FAULT_NS, 0);
	return true;
#undef TPF64
#undef TPF32
#undef TPF_OR
#undef TPF
}

/* A record's common_pid, or -1 if the event has none or raw is too short. */
static inline int32_t tp_common_pid(const struct tp_decoder *d, const uint8_t *raw, uint32_t size,
				    bool swap)
{
	const struct tp_loc *l = &d->f[TPF_PID];

	if (!l->size || (uint32_t)l->off + l->size > size)
		return -1;
	return (int32_t)rd_field(swap, raw + l->off, l->size, l->is_signed);
}

#endif
