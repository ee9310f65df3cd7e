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
	uint32_t need;			/* bytes a record must hold for these fields */
	struct tp_loc f[TPF_NR];
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

/*
 * A kvm_hv record's fields into r (kind and fields only); false if raw is
 * too short. Inlined, so that a caller passing a constant swap gets loads
 * without a byte-order test each.
 */
static __attribute__((always_inline)) inline bool tp_decode(const struct tp_decoder *d,
							    const uint8_t *raw, uint32_t size,
							    bool swap, struct trace_rec *r)
{
#define TPF(role) rd_field(swap, raw + d->f[role].off, d->f[role].size, d->f[role].is_signed)
#define TPF_OR(role, dflt) (d->f[role].size ? TPF(role) : (dflt))
	if (size < d->need)
		return false;
	r->kind = d->kind;
	r->v2 = d->v2;
	r->missing = d->missing;
	r->has_vcpu = d->f[TPF_VCPU].size;
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
