// SPDX-License-Identifier: GPL-2.0
#include "core/json.h"
#include "core/msg.h"
#include "view/attached.h"

static void json_line(FILE *out, const struct collector_ready *r, bool pretty)
{
	struct json_writer *w = json_new(out, pretty);

	json_obj_begin(w);
	json_key_str(w, "kind", "attached");
	json_key_str(w, "source", r->source);
	json_key_str(w, "attribution", r->attribution);
	json_key_str(w, "btf", r->btf);
	json_key_u64(w, "programs", r->programs);
	json_key(w, "maps");
	if (r->sizes) {
		json_obj_begin(w);
		json_key_u64(w, "guests", r->sizes->guests);
		json_key_u64(w, "vcpus", r->sizes->vcpus);
		json_key_u64(w, "counts", r->sizes->counts);
		json_key_u64(w, "hists", r->sizes->hists);
		json_key_u64(w, "hist_vals", r->sizes->hist_vals);
		json_key_u64(w, "vcpu_seg", r->sizes->vcpu_seg);
		json_key_u64(w, "starts", r->sizes->starts);
		json_obj_end(w);
	} else {
		json_null(w);
	}
	json_key_str(w, "how", r->how);
	json_key(w, "warnings");
	json_arr_begin(w);
	for (int i = 0; i < r->nwarn; i++)
		json_str(w, r->warn[i]);
	json_arr_end(w);
	json_obj_end(w);
	json_free(w);
}

void view_attached(FILE *out, const struct collector *c, bool json, bool pretty)
{
	struct collector_ready r;

	collector_ready(c, &r);
	if (json) {
		json_line(out, &r, pretty);
	} else {
		fprintf(out, "attached: source=%s attribution=%s btf=%s programs=%d", r.source,
			r.attribution, r.btf ? r.btf : "none", r.programs);
		if (r.sizes)
			fprintf(out, " guests=%u vcpus=%u", r.sizes->guests, r.sizes->vcpus);
		fprintf(out, "\n");
		for (int i = 0; i < r.nwarn; i++)
			p_warn("%s", r.warn[i]);
	}
	fflush(out);
}
