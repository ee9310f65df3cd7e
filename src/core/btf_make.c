// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bpf/btf.h>

#include "core/btf_make.h"
#include "core/host_probe.h"
#include "kvmslb_btf.skel.h"

struct work {
	char dir[64];
	char log[96];
	bool verbose;
};

/*
 * Run argv (a NULL-terminated list), output into w->log (or stderr).
 * 0; -1 if it could not run; -2 if it failed (err: its last line).
 */
static int run(struct work *w, char *const argv[], char *err, size_t errlen)
{
	int status, fd = -1;
	pid_t pid;

	if (!w->verbose) {
		fd = open(w->log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (fd < 0) {
			snprintf(err, errlen, "%s: %s", w->log, strerror(errno));
			return -1;
		}
	}
	pid = fork();
	if (pid < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (!pid) {
		if (fd >= 0 && (dup2(fd, 1) < 0 || dup2(fd, 2) < 0))
			_exit(127);
		execvp(argv[0], argv);
		_exit(127);
	}
	if (fd >= 0)
		close(fd);
	if (waitpid(pid, &status, 0) < 0) {
		snprintf(err, errlen, "waiting for %s: %s", argv[0], strerror(errno));
		return -1;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
		snprintf(err, errlen, "cannot run %s: install it (Debian: %s)", argv[0],
			 !strcmp(argv[0], "pahole") ? "apt-get install dwarves" :
			 "apt-get install bpftool");
		return -1;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		char tail[160] = "";
		FILE *f = fopen(w->log, "r");

		/* the tool's last line says why */
		while (f && fgets(tail, sizeof(tail), f))
			;
		if (f)
			fclose(f);
		tail[strcspn(tail, "\n")] = '\0';
		snprintf(err, errlen, "%s failed%s%s", argv[0], tail[0] ? ": " : "", tail);
		return -2;
	}
	return 0;
}

static int write_file(const char *path, const void *data, size_t len, char *err,
		      size_t errlen)
{
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(data, 1, len, f) != len || fclose(f)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		if (f)
			fclose(f);
		return -1;
	}
	return 0;
}

/* DWARF of 'elf' to BTF 'out' (split against 'base' if not NULL). */
static int encode(struct work *w, const char *elf, const char *base, const char *out,
		  char *err, size_t errlen)
{
	char detached[512], based[512];
	char *argv[5];
	int n = 0;

	snprintf(detached, sizeof(detached), "--btf_encode_detached=%s", out);
	argv[n++] = "pahole";
	if (base) {
		snprintf(based, sizeof(based), "--btf_base=%s", base);
		argv[n++] = based;
	}
	argv[n++] = detached;
	argv[n++] = (char *)elf;
	argv[n] = NULL;
	return run(w, argv, err, errlen);
}

/*
 * base + split, one self-contained BTF: the base's types keep their IDs and
 * the split's follow in order, so its references stay valid as they are.
 */
static struct btf *merge(const struct btf *base, const struct btf *split)
{
	struct btf *m = btf__new_empty();
	__u32 first = btf__type_cnt(base), end = btf__type_cnt(split);

	if (!m || btf__add_btf(m, base) < 0)
		goto fail;
	for (__u32 id = first; id < end; id++)
		if (btf__add_type(m, split, btf__type_by_id(split, id)) < 0)
			goto fail;
	return m;
fail:
	btf__free(m);
	return NULL;
}

/* A raw BTF file (either byte order), rather than an ELF file to encode? */
static bool is_btf(const char *path)
{
	unsigned char m[2] = { 0 };
	FILE *f = fopen(path, "rb");
	bool yes;

	if (!f)
		return false;
	yes = fread(m, 1, 2, f) == 2 && ((m[0] == 0x9f && m[1] == 0xeb) ||
					 (m[0] == 0xeb && m[1] == 0x9f));
	fclose(f);
	return yes;
}

static int check_input(const char *path, char *err, size_t errlen)
{
	struct stat st;

	if (stat(path, &st) || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: %s", path, errno ? strerror(errno) : "not a file");
		return -1;
	}
	return 0;
}

static int make(struct work *w, const struct btf_make_opts *o, char *err, size_t errlen,
		size_t *bytes)
{
	char cur[128], next[128], split[128], obj[128];
	struct btf *btf = NULL;
	const char *miss;
	const void *raw;
	size_t objlen;
	__u32 len;
	int ret = BTF_MAKE_FAILED;

	snprintf(cur, sizeof(cur), "%s/vmlinux.btf", w->dir);
	if (is_btf(o->vmlinux)) {
		/* already BTF (an earlier --full, another machine's /sys/kernel/btf/vmlinux) */
		snprintf(cur, sizeof(cur), "%s", o->vmlinux);
	} else {
		ret = encode(w, o->vmlinux, NULL, cur, err, errlen);
		if (ret)
			return ret == -2 ? BTF_MAKE_BAD_INPUT : BTF_MAKE_FAILED;
	}
	ret = BTF_MAKE_FAILED;
	btf = btf__parse_raw(cur);
	if (!btf) {
		snprintf(err, errlen, "%s: pahole made no BTF of it (no DWARF? the -dbg "
			 "package's vmlinux has it)", o->vmlinux);
		return BTF_MAKE_BAD_INPUT;
	}
	/* the KVM types are in vmlinux (built-in KVM) or in the modules */
	for (int i = 0; i < o->nmodules && *btf_kvm_missing(btf); i++) {
		struct btf *s, *m;

		snprintf(split, sizeof(split), "%s/module%d.btf", w->dir, i);
		if (encode(w, o->modules[i], cur, split, err, errlen) == -2)
			ret = BTF_MAKE_BAD_INPUT;
		if (access(split, R_OK))
			goto out;
		s = btf__parse_raw_split(split, btf);
		m = s ? merge(btf, s) : NULL;
		btf__free(s);
		if (!m) {
			snprintf(err, errlen, "%s: no usable BTF from its DWARF", o->modules[i]);
			ret = BTF_MAKE_BAD_INPUT;
			goto out;
		}
		btf__free(btf);
		btf = m;
		raw = btf__raw_data(btf, &len);
		snprintf(next, sizeof(next), "%s/merged%d.btf", w->dir, i);
		if (!raw || write_file(next, raw, len, err, errlen))
			goto out;
		snprintf(cur, sizeof(cur), "%s", next);
	}
	miss = btf_kvm_missing(btf);
	if (*miss) {
		snprintf(err, errlen, "%s%s lacks %s: not a POWER kernel with KVM HV, or "
			 "kvm-hv.ko missing (--module)", o->vmlinux,
			 o->nmodules ? " and its modules" : "", miss);
		ret = BTF_MAKE_BAD_INPUT;
		goto out;
	}
	if (o->full) {
		raw = btf__raw_data(btf, &len);
		if (!raw || write_file(o->out, raw, len, err, errlen))
			goto out;
	} else {
		const void *elf = kvmslb_btf_bpf__elf_bytes(&objlen);
		char *argv[] = { "bpftool", "gen", "min_core_btf", cur, (char *)o->out, obj,
				 NULL };

		snprintf(obj, sizeof(obj), "%s/kvmslb_btf.bpf.o", w->dir);
		if (write_file(obj, elf, objlen, err, errlen) || run(w, argv, err, errlen))
			goto out;
	}
	btf__free(btf);
	btf = btf__parse(o->out, NULL);
	if (!btf || *btf_kvm_missing(btf)) {
		snprintf(err, errlen, "%s: the result does not describe struct kvm_vcpu "
			 "(bpftool gen min_core_btf)", o->out);
		goto out;
	}
	btf__raw_data(btf, &len);
	*bytes = len;
	ret = BTF_MAKE_OK;
out:
	btf__free(btf);
	return ret;
}

static void cleanup(const struct work *w)
{
	static const char *const names[] = {
		"vmlinux.btf", "module0.btf", "module1.btf", "module2.btf", "module3.btf",
		"merged0.btf", "merged1.btf", "merged2.btf", "merged3.btf",
		"kvmslb_btf.bpf.o", "log",
	};
	char p[128];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", w->dir, names[i]);
		unlink(p);
	}
	rmdir(w->dir);
}

int btf_make(const struct btf_make_opts *o, char *err, size_t errlen, size_t *bytes)
{
	struct work w = { .verbose = o->verbose };
	const char *tmp = getenv("TMPDIR");
	int ret;

	*bytes = 0;
	if (check_input(o->vmlinux, err, errlen))
		return BTF_MAKE_BAD_INPUT;
	for (int i = 0; i < o->nmodules; i++)
		if (check_input(o->modules[i], err, errlen))
			return BTF_MAKE_BAD_INPUT;
	snprintf(w.dir, sizeof(w.dir), "%s/kvmslb-btf.XXXXXX",
		 tmp && *tmp && strlen(tmp) < 32 ? tmp : "/tmp");
	if (!mkdtemp(w.dir)) {
		snprintf(err, errlen, "%s: %s", w.dir, strerror(errno));
		return BTF_MAKE_FAILED;
	}
	snprintf(w.log, sizeof(w.log), "%s/log", w.dir);
	ret = make(&w, o, err, errlen, bytes);
	cleanup(&w);
	return ret;
}
