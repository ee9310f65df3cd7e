// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <linux/bpf.h>

#include "core/host_probe.h"
#include "core/tp_format.h"
#include "kvmslb/abi.h"

static const char *const tp_names[TP_NR] = {
	[TP_SEGMENT_SYNTH] = KVMSLB_TP_SEGMENT_SYNTH,
	[TP_HFAULT] = KVMSLB_TP_HFAULT,
	[TP_GUEST_EXIT] = "kvm_guest_exit",
	[TP_PAGE_FAULT_ENTER] = "kvm_page_fault_enter",
	[TP_PAGE_FAULT_EXIT] = "kvm_page_fault_exit",
};

static const char *const source_names[SOURCE_NR] = {
	[SOURCE_PATCHED] = "patched",
	[SOURCE_STOCK] = "stock",
	[SOURCE_STATS] = "stats",
};

const char *tp_name(enum kvm_hv_tp tp)
{
	return tp < TP_NR ? tp_names[tp] : "?";
}

const char *source_name(enum data_source s)
{
	return s < SOURCE_NR ? source_names[s] : "?";
}

int source_from_name(const char *name, enum data_source *out)
{
	for (int i = 0; i < SOURCE_NR; i++) {
		if (!strcmp(name, source_names[i])) {
			*out = i;
			return 0;
		}
	}
	return -1;
}

const char *cpu_gen_name(enum cpu_gen g)
{
	switch (g) {
	case CPU_GEN_POWER7: return "POWER7";
	case CPU_GEN_POWER8: return "POWER8";
	case CPU_GEN_POWER9: return "POWER9";
	case CPU_GEN_POWER10: return "POWER10";
	case CPU_GEN_POWER_OTHER: return "POWER (other)";
	default: return "other";
	}
}

static void path_join(char *buf, size_t len, const char *root, const char *path)
{
	snprintf(buf, len, "%s%s", root, path);
}

/* Read a small file into buf (NUL-terminated). Returns bytes or -errno. */
static long read_small(const char *root, const char *path, char *buf, size_t len)
{
	char full[PATH_MAX];
	ssize_t n, total = 0;
	int fd;

	path_join(full, sizeof(full), root, path);
	fd = open(full, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while ((size_t)total < len - 1) {
		n = read(fd, buf + total, len - 1 - total);
		if (n < 0) {
			int e = errno;

			close(fd);
			return -e;
		}
		if (n == 0)
			break;
		total += n;
	}
	close(fd);
	buf[total] = '\0';
	return total;
}

static bool exists(const char *root, const char *path)
{
	char full[PATH_MAX];

	path_join(full, sizeof(full), root, path);
	return access(full, F_OK) == 0;
}

/* Value of "key<spaces>: value" in a /proc/cpuinfo-like text. */
static bool cpuinfo_field(const char *text, const char *key, char *out, size_t len)
{
	size_t klen = strlen(key);

	for (const char *line = text; line && *line; ) {
		const char *nl = strchr(line, '\n');
		size_t llen = nl ? (size_t)(nl - line) : strlen(line);

		const char *colon = memchr(line, ':', llen);
		size_t kend = colon ? (size_t)(colon - line) : 0;

		/* the key, then only blanks up to the colon ("cpu family" is not "cpu") */
		while (kend > 0 && (line[kend - 1] == ' ' || line[kend - 1] == '\t'))
			kend--;
		if (colon && kend == klen && !strncmp(line, key, klen)) {
			{
				const char *v = colon + 1;

				while (*v == ' ' || *v == '\t')
					v++;
				snprintf(out, len, "%.*s", (int)(line + llen - v), v);
				return true;
			}
		}
		line = nl ? nl + 1 : NULL;
	}
	return false;
}

enum cpu_gen cpu_gen_from_cpuinfo(const char *cpuinfo, char *cpu, unsigned long len)
{
	static const struct { const char *prefix; enum cpu_gen gen; } table[] = {
		{ "POWER10", CPU_GEN_POWER10 },
		{ "POWER9", CPU_GEN_POWER9 },
		{ "POWER8", CPU_GEN_POWER8 },
		{ "POWER7", CPU_GEN_POWER7 },
	};
	char val[PROBE_STR] = "";

	/* ppc64: "cpu : POWER9 (raw), altivec supported"; x86: "model name" */
	if (!cpuinfo_field(cpuinfo, "cpu", val, sizeof(val)))
		cpuinfo_field(cpuinfo, "model name", val, sizeof(val));
	if (cpu)
		snprintf(cpu, len, "%s", val[0] ? val : "unknown");
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (!strncmp(val, table[i].prefix, strlen(table[i].prefix)))
			return table[i].gen;
	if (!strncmp(val, "POWER", 5))
		return CPU_GEN_POWER_OTHER;
	return CPU_GEN_OTHER;
}

bool caps_from_status(const char *status, int cap)
{
	const char *p = strstr(status, "\nCapEff:");
	unsigned long long eff;

	if (!p || sscanf(p + 8, "%llx", &eff) != 1)
		return false;
	return cap >= 0 && cap < 64 && (eff >> cap) & 1;
}

static void probe_tracefs(struct host_probe *p, const char *root, bool try_mount)
{
	static const char *const candidates[] = {
		"/sys/kernel/tracing", "/sys/kernel/debug/tracing",
	};
	char path[PATH_MAX];

	for (size_t i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/events", candidates[i]);
		if (exists(root, path)) {
			snprintf(p->tracefs, sizeof(p->tracefs), "%s%s", root, candidates[i]);
			break;
		}
	}
	if (!p->tracefs[0] && try_mount && !root[0]) {
		if (mount("tracefs", "/sys/kernel/tracing", "tracefs", 0, NULL) == 0)
			snprintf(p->tracefs, sizeof(p->tracefs), "/sys/kernel/tracing");
		else
			snprintf(p->tracefs_err, sizeof(p->tracefs_err),
				 "mount tracefs on /sys/kernel/tracing: %s", strerror(errno));
	}
	if (!p->tracefs[0]) {
		if (!p->tracefs_err[0])
			snprintf(p->tracefs_err, sizeof(p->tracefs_err),
				 "tracefs is not mounted (mount -t tracefs nodev /sys/kernel/tracing)");
		return;
	}
	for (int t = 0; t < TP_NR; t++) {
		snprintf(path, sizeof(path), "%s/events/%s/%s/format", p->tracefs,
			 KVMSLB_TP_SYSTEM, tp_names[t]);
		p->tp[t] = access(path, F_OK) == 0;
	}
	if (p->tp[TP_SEGMENT_SYNTH]) {
		struct tp_field f;
		char err[PROBE_STR];

		p->patched_v2 = !tp_field_from_tracefs(p->tracefs, KVMSLB_TP_SYSTEM,
						       KVMSLB_TP_SEGMENT_SYNTH, KVMSLB_V2_FIELD,
						       &f, err, sizeof(err));
	}
}

/* ---- BTF ------------------------------------------------------------------ */
/*
 * Type id of member 'name' of the struct or union 'id' (members of anonymous
 * structs and unions included, as CO-RE sees them); -1 if absent.
 */
static int btf_member_type(const struct btf *btf, int id, const char *name, int depth)
{
	const struct btf_type *t = btf__type_by_id(btf, btf__resolve_type(btf, id));
	const struct btf_member *m;

	if (!t || depth > 4 || !(btf_is_struct(t) || btf_is_union(t)))
		return -1;
	m = btf_members(t);
	for (int i = 0; i < btf_vlen(t); i++, m++) {
		const char *n = btf__name_by_offset(btf, m->name_off);
		int sub;

		if (n && !strcmp(n, name))
			return m->type;
		if ((!n || !*n) && (sub = btf_member_type(btf, m->type, name, depth + 1)) >= 0)
			return sub;
	}
	return -1;
}

const char *btf_kvm_missing(const struct btf *btf)
{
	int vcpu = btf__find_by_name_kind(btf, "kvm_vcpu", BTF_KIND_STRUCT);
	int task = btf__find_by_name_kind(btf, "task_struct", BTF_KIND_STRUCT);
	int arch;

	if (vcpu < 0)
		return "struct kvm_vcpu";
	if (btf_member_type(btf, vcpu, "vcpu_id", 0) < 0)
		return "kvm_vcpu.vcpu_id";
	arch = btf_member_type(btf, vcpu, "arch", 0);
	if (arch < 0 || btf_member_type(btf, arch, "trap", 0) < 0)
		return "kvm_vcpu.arch.trap (not a POWER kernel?)";
	if (btf_member_type(btf, arch, "run_task", 0) < 0)
		return "kvm_vcpu.arch.run_task (not a POWER kernel?)";
	if (task < 0)
		return "struct task_struct";
	if (btf_member_type(btf, task, "tgid", 0) < 0)
		return "task_struct.tgid";
	return "";
}

bool btf_describes_kvm(const char *root, const char *file, char *why, unsigned long len)
{
	static const char *const modules[] = { "kvm_hv", "kvm" };
	char path[PATH_MAX];
	struct btf *base, *btf;
	const char *miss;

	if (file) {
		btf = btf__parse(file, NULL);
		if (!btf) {
			snprintf(why, len, "%s: not a BTF file: %s", file, strerror(errno));
			return false;
		}
		miss = btf_kvm_missing(btf);
		btf__free(btf);
		if (*miss)
			snprintf(why, len, "%s lacks %s", file, miss);
		else
			snprintf(why, len, "%s describes struct kvm_vcpu", file);
		return !*miss;
	}
	path_join(path, sizeof(path), root, "/sys/kernel/btf/vmlinux");
	base = btf__parse_raw(path);
	if (!base) {
		snprintf(why, len, "no kernel BTF (%s: %s)", path, strerror(errno));
		return false;
	}
	miss = btf_kvm_missing(base);
	if (!*miss) {
		btf__free(base);
		snprintf(why, len, "kernel BTF (vmlinux) describes struct kvm_vcpu");
		return true;
	}
	for (size_t i = 0; i < sizeof(modules) / sizeof(modules[0]); i++) {
		char sub[128];

		snprintf(sub, sizeof(sub), "/sys/kernel/btf/%s", modules[i]);
		path_join(path, sizeof(path), root, sub);
		btf = btf__parse_raw_split(path, base);
		if (!btf)
			continue;
		if (!*btf_kvm_missing(btf)) {
			btf__free(btf);
			btf__free(base);
			snprintf(why, len, "kernel BTF (module %s) describes struct kvm_vcpu",
				 modules[i]);
			return true;
		}
		btf__free(btf);
	}
	btf__free(base);
	snprintf(why, len, "kernel BTF (vmlinux, modules kvm_hv and kvm) lacks %s", miss);
	return false;
}

/* ---- kvm_hv micro-threading ------------------------------------------------ */
static void probe_mt(struct host_probe *p, const char *root)
{
	char buf[32];

	p->mt_modes = -1;
	p->one_vm_per_core = -1;
	p->hfault_stats = -1;
	if (read_small(root, "/sys/module/kvm_hv/parameters/hfault_stats", buf, sizeof(buf)) > 0)
		p->hfault_stats = buf[0] == 'Y' || buf[0] == 'y' || buf[0] == '1';
	if (read_small(root, "/sys/module/kvm_hv/parameters/dynamic_mt_modes", buf,
		       sizeof(buf)) > 0)
		p->mt_modes = atoi(buf);
	if (read_small(root, "/sys/module/kvm_hv/parameters/one_vm_per_core", buf,
		       sizeof(buf)) > 0)
		p->one_vm_per_core = buf[0] == 'Y' || buf[0] == 'y' || buf[0] == '1';
}

bool host_runner_reports(const struct host_probe *p)
{
	return p->gen == CPU_GEN_POWER7 || p->gen == CPU_GEN_POWER8;
}

bool host_mt_can_mix_vms(const struct host_probe *p)
{
	/* dynamic micro-threading (subcores) exists on POWER8 only */
	if (p->gen != CPU_GEN_POWER8)
		return false;
	return p->mt_modes != 0 && p->one_vm_per_core != 1;
}

static void probe_bpf(struct host_probe *p)
{
	const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	int fd = bpf_prog_load(BPF_PROG_TYPE_TRACEPOINT, "kvmslb_probe", "GPL",
			       insns, 2, NULL);

	if (fd >= 0) {
		p->bpf_ok = true;
		close(fd);
		return;
	}
	snprintf(p->bpf_err, sizeof(p->bpf_err), "bpf(BPF_PROG_LOAD) failed: %s",
		 strerror(errno));
}

static void probe_debugfs(struct host_probe *p, const char *root)
{
	char dir[PATH_MAX], file[PATH_MAX + 64], buf[64];
	struct dirent *de;
	DIR *d;
	long n = 0;

	path_join(dir, sizeof(dir), root, "/sys/kernel/debug/kvm");
	d = opendir(dir);
	if (!d) {
		snprintf(p->debugfs_err, sizeof(p->debugfs_err), "%s: %s%s", dir,
			 strerror(errno), errno == ENOENT ?
			 " (debugfs not mounted, or KVM not loaded)" : "");
		return;
	}
	/* A stats file that opens but cannot be read means lockdown. */
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || de->d_type == DT_DIR)
			continue;
		snprintf(file, sizeof(file), "/sys/kernel/debug/kvm/%s", de->d_name);
		n = read_small(root, file, buf, sizeof(buf));
		break;
	}
	closedir(d);
	if (n < 0) {
		snprintf(p->debugfs_err, sizeof(p->debugfs_err),
			 "%s: reading stats fails: %s%s", dir, strerror((int)-n),
			 n == -EPERM ? " (kernel lockdown?)" : "");
		return;
	}
	snprintf(p->debugfs_kvm, sizeof(p->debugfs_kvm), "%s", dir);
	p->stats_patched = exists(root, "/sys/kernel/debug/kvm/dsegi_synth");
}

/* Upstream cf29b21595b9 (Nov 2015) first shipped in v4.4. */
static void probe_fix_2015(struct host_probe *p)
{
	int major = 0, minor = 0;

	if (!p->is_power) {
		p->fix_2015 = -1;
		snprintf(p->fix_2015_why, sizeof(p->fix_2015_why),
			 "not applicable: not a POWER host");
		return;
	}
	if (p->tp[TP_SEGMENT_SYNTH]) {
		p->fix_2015 = 1;
		snprintf(p->fix_2015_why, sizeof(p->fix_2015_why),
			 "yes: the kvmslb patch instruments the fixed handler");
		return;
	}
	if (p->gen >= CPU_GEN_POWER9 && p->gen != CPU_GEN_POWER_OTHER) {
		p->fix_2015 = -1;
		snprintf(p->fix_2015_why, sizeof(p->fix_2015_why),
			 "not applicable: %s runs guests through the C entry path, "
			 "which never synthesizes segment interrupts",
			 cpu_gen_name(p->gen));
		return;
	}
	sscanf(p->release, "%d.%d", &major, &minor);
	if (major > 4 || (major == 4 && minor >= 4)) {
		p->fix_2015 = 1;
		snprintf(p->fix_2015_why, sizeof(p->fix_2015_why),
			 "yes: kernel %d.%d carries the fix (upstream cf29b21595b9, in v4.4 and later)",
			 major, minor);
	} else {
		p->fix_2015 = 0;
		snprintf(p->fix_2015_why, sizeof(p->fix_2015_why),
			 "unknown: kernel %d.%d may predate the fix (cf29b21595b9); "
			 "check the distribution's changelog for a backport", major, minor);
	}
}

void host_probe(struct host_probe *p, const char *root, bool try_mount)
{
	char buf[16384];
	struct utsname u;

	memset(p, 0, sizeof(*p));
	if (!root[0] && uname(&u) == 0) {
		snprintf(p->machine, sizeof(p->machine), "%s", u.machine);
		snprintf(p->release, sizeof(p->release), "%s", u.release);
	} else {
		if (read_small(root, "/proc/sys/kernel/arch", buf, sizeof(buf)) > 0)
			snprintf(p->machine, sizeof(p->machine), "%.*s",
				 (int)strcspn(buf, "\n"), buf);
		if (read_small(root, "/proc/sys/kernel/osrelease", buf, sizeof(buf)) > 0)
			snprintf(p->release, sizeof(p->release), "%.*s",
				 (int)strcspn(buf, "\n"), buf);
	}
	/* never a blank field: what could not be read says so */
	if (!p->machine[0])
		snprintf(p->machine, sizeof(p->machine), "unknown (%s/proc/sys/kernel/arch "
			 "unreadable)", root);
	if (!p->release[0])
		snprintf(p->release, sizeof(p->release), "unknown (%s/proc/sys/kernel/osrelease "
			 "unreadable)", root);
	if (read_small(root, "/proc/cpuinfo", buf, sizeof(buf)) > 0)
		p->gen = cpu_gen_from_cpuinfo(buf, p->cpu, sizeof(p->cpu));
	else
		snprintf(p->cpu, sizeof(p->cpu), "unknown (/proc/cpuinfo unreadable)");
	p->is_power = !strncmp(p->machine, "ppc64", 5) || p->gen != CPU_GEN_OTHER;
	p->kvm_dev = exists(root, "/dev/kvm");
	p->kvm_hv = exists(root, "/sys/module/kvm_hv");
	probe_tracefs(p, root, try_mount);
	p->btf = exists(root, "/sys/kernel/btf/vmlinux");
	p->btf_kvm = p->btf && btf_describes_kvm(root, NULL, p->btf_kvm_why,
						 sizeof(p->btf_kvm_why));
	if (!p->btf)
		snprintf(p->btf_kvm_why, sizeof(p->btf_kvm_why),
			 "no kernel BTF (%s/sys/kernel/btf/vmlinux)", root);
	probe_mt(p, root);
	if (read_small(root, "/proc/self/status", buf, sizeof(buf)) > 0) {
		p->cap_sys_admin = caps_from_status(buf, 21);
		p->cap_perfmon = caps_from_status(buf, 38) || p->cap_sys_admin;
		p->cap_bpf = caps_from_status(buf, 39) || p->cap_sys_admin;
	}
	if (!root[0])
		probe_bpf(p);
	else
		snprintf(p->bpf_err, sizeof(p->bpf_err), "not probed (alternate root)");
	probe_debugfs(p, root);
	probe_fix_2015(p);
}

static bool need_bpf(const struct host_probe *p, char *why, unsigned long len)
{
	if (!p->bpf_ok) {
		snprintf(why, len, "%s", p->bpf_err);
		return false;
	}
	if (!p->tracefs[0]) {
		snprintf(why, len, "%s", p->tracefs_err);
		return false;
	}
	return true;
}

bool source_usable(const struct host_probe *p, enum data_source s, char *why,
		   unsigned long len)
{
	snprintf(why, len, "ok");
	switch (s) {
	case SOURCE_PATCHED:
		if (!p->tp[TP_SEGMENT_SYNTH] || !p->tp[TP_HFAULT]) {
			snprintf(why, len, "tracepoints kvm_hv:%s/%s not found: "
				 "the kernel does not carry the kvmslb patch (kernel-patch/)%s",
				 tp_names[TP_SEGMENT_SYNTH], tp_names[TP_HFAULT],
				 p->kvm_hv ? "" : " or kvm_hv is not loaded");
			return false;
		}
		return need_bpf(p, why, len);
	case SOURCE_STOCK:
		if (!p->tp[TP_GUEST_EXIT]) {
			snprintf(why, len, "tracepoint kvm_hv:kvm_guest_exit not found: %s",
				 p->kvm_hv ? "kvm_hv exposes no tracepoints here" :
				 "kvm_hv is not loaded (modprobe kvm_hv)");
			return false;
		}
		return need_bpf(p, why, len);
	case SOURCE_STATS:
		if (!p->debugfs_kvm[0]) {
			snprintf(why, len, "%s", p->debugfs_err);
			return false;
		}
		if (!p->stats_patched) {
			snprintf(why, len, "KVM stats have no SLB-synthesis counters "
				 "(dsegi_synth): the kernel does not carry the kvmslb patch");
			return false;
		}
		return true;
	default:
		snprintf(why, len, "unknown source");
		return false;
	}
}
