// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * slbguest mini VMM on /dev/kvm (KVM-HV, hash MMU guest).
 *
 * Note: after KVM_RUN the host thread's FP/VMX registers have been seen
 * to come back clobbered (shared/notes/emulated-power-host.md). This file
 * is built with -mno-vsx -mno-altivec, uses no floating point, and keeps
 * all state in memory.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/kvm.h>

#include "guest.h"
#include "vmm.h"

/* guest.S */
extern const uint8_t slbg_payload_start[], slbg_payload_end[];
extern const uint8_t slbg_code_stub[], slbg_code_stub_end[];

#define MSR_SF		(1ULL << 63)
#define MSR_ME		(1ULL << 12)
#define MSR_LE		(1ULL << 0)
#define LPCR_ILE	(1ULL << 25)
#define LPCR_AIL	(3ULL << 23)

#define H_SUCCESS	0
#define H_FUNCTION	(-2)

static void set_err(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_err(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

#define VM_ERR(vm, ...)	set_err((vm)->err, sizeof((vm)->err), __VA_ARGS__)

static void vcpu_fail(struct slbg_vcpu *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void vcpu_fail(struct slbg_vcpu *c, const char *fmt, ...)
{
	va_list ap;

	if (c->failed)
		return;
	c->failed = true;
	va_start(ap, fmt);
	vsnprintf(c->err, sizeof(c->err), fmt, ap);
	va_end(ap);
}

static uint64_t code_gpa(const struct slbg_vm *vm, unsigned int v)
{
	return SLBG_LOW_SIZE + (uint64_t)v * vm->o->ncode * SLBG_STRIDE;
}

static uint64_t data_gpa(const struct slbg_vm *vm, unsigned int v)
{
	return vm->data_gpa + (uint64_t)v * vm->o->ndata * SLBG_STRIDE;
}

static uint8_t *vcpu_area(struct slbg_vm *vm, unsigned int v)
{
	return vm->low + SLBG_VCPU_AREA + (size_t)v * SLBG_VCPU_AREA_SIZE;
}

static void put64(uint8_t *p, size_t off, uint64_t val)
{
	memcpy(p + off, &val, sizeof(val));
}

static uint64_t get64(const uint8_t *p, size_t off)
{
	uint64_t val;

	memcpy(&val, p + off, sizeof(val));
	return val;
}

/* Distinct, spread-out 24-bit VSIDs per (vcpu, ESID) */
static uint64_t vsid_of(unsigned int v, unsigned int esid)
{
	uint32_t x = (uint32_t)(v * 4 + esid + 1) * 2654435761u;

	return ((x >> 8) & 0xffffff) | 0x1;
}

static unsigned int pick_hpt_order(const struct slbg_vm *vm)
{
	const struct slbg_opts *o = vm->o;
	/* our HPTEs, plus one VRMA HPTE per 64K of slot 0 */
	uint64_t need = (uint64_t)o->nvcpus * (SLBG_LOW_SIZE / 4096 + o->ndata + o->ncode) +
			vm->low_size / SLBG_STRIDE;
	unsigned int order = 18;

	/* keep the table at most a quarter full: 16 bytes per HPTE */
	while (order < 24 && ((1ULL << order) / 16) < 4 * need)
		order++;
	return order;
}

/* Drop the host pages behind vcpu v's data and code pages, so that KVM
 * marks their HPTEs absent and the next access faults (HDSI/HISI). */
static int drop_pages(struct slbg_vm *vm, unsigned int v, char *err, size_t len)
{
	const struct slbg_opts *o = vm->o;
	size_t csz = (size_t)o->ncode * SLBG_STRIDE;
	size_t dsz = (size_t)o->ndata * SLBG_STRIDE;

	if (csz && madvise(vm->low + code_gpa(vm, v), csz, MADV_DONTNEED)) {
		set_err(err, len, "madvise(MADV_DONTNEED) of vcpu %u code pages: %s",
			v, strerror(errno));
		return -1;
	}
	if (dsz && madvise(vm->data + (data_gpa(vm, v) - vm->data_gpa), dsz, MADV_DONTNEED)) {
		set_err(err, len, "madvise(MADV_DONTNEED) of vcpu %u data pages: %s",
			v, strerror(errno));
		return -1;
	}
	return 0;
}

static int set_memory(struct slbg_vm *vm, unsigned int slot, uint64_t gpa, void *host,
		      size_t size)
{
	struct kvm_userspace_memory_region r = {
		.slot = slot,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = (uint64_t)(uintptr_t)host,
	};

	if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &r) < 0) {
		VM_ERR(vm, "KVM_SET_USER_MEMORY_REGION slot %u (%zu bytes at 0x%llx): %s",
		       slot, size, (unsigned long long)gpa, strerror(errno));
		return -1;
	}
	return 0;
}

static int setup_memory(struct slbg_vm *vm)
{
	const struct slbg_opts *o = vm->o;
	size_t payload = (size_t)(slbg_payload_end - slbg_payload_start);
	size_t stub = (size_t)(slbg_code_stub_end - slbg_code_stub);
	long pagesz = sysconf(_SC_PAGESIZE);
	unsigned int v, j;

	if (payload > SLBG_PAYLOAD_MAX) {
		VM_ERR(vm, "internal: guest payload is %zu bytes, more than %u", payload,
		       SLBG_PAYLOAD_MAX);
		return -1;
	}
	if (pagesz <= 0 || pagesz > SLBG_STRIDE) {
		VM_ERR(vm, "host page size %ld is larger than the guest page stride 0x%x",
		       pagesz, SLBG_STRIDE);
		return -1;
	}

	vm->low_size = SLBG_LOW_SIZE + (size_t)o->nvcpus * o->ncode * SLBG_STRIDE;
	vm->data_size = (size_t)o->nvcpus * o->ndata * SLBG_STRIDE;
	vm->data_gpa = vm->low_size;

	/*
	 * Shared anonymous memory: MADV_DONTNEED unmaps the host pages (KVM
	 * then marks the HPTEs absent) but keeps their contents, so the code
	 * stubs survive. With --hw-stale-erat the data pages are private
	 * instead: after MADV_DONTNEED a guest load maps the zero page and KVM
	 * enters a read-only HPTE, so the following store takes a protection
	 * HDSI, the case the 2015 fix was made for.
	 */
	vm->low = mmap(NULL, vm->low_size, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (vm->low == MAP_FAILED) {
		vm->low = NULL;
		VM_ERR(vm, "mmap of %zu bytes of guest memory: %s", vm->low_size, strerror(errno));
		return -1;
	}
	if (vm->data_size) {
		int flags = (o->stale_erat ? MAP_PRIVATE : MAP_SHARED) | MAP_ANONYMOUS |
			    MAP_NORESERVE;

		vm->data = mmap(NULL, vm->data_size, PROT_READ | PROT_WRITE, flags, -1, 0);
		if (vm->data == MAP_FAILED) {
			vm->data = NULL;
			VM_ERR(vm, "mmap of %zu bytes of guest data pages: %s", vm->data_size,
			       strerror(errno));
			return -1;
		}
	}

	/* Low region: every byte written, so its host pages are present and
	 * writable and H_ENTER makes its HPTEs valid at once (no faults). */
	memset(vm->low, 0, SLBG_LOW_SIZE);
	memcpy(vm->low, slbg_payload_start, payload);
	for (v = 0; v < o->nvcpus; v++) {
		uint8_t *a = vcpu_area(vm, v);
		unsigned int e;

		put64(a, VA_VCPU, v);
		put64(a, VA_NDATA, o->ndata);
		put64(a, VA_NCODE, o->ncode);
		put64(a, VA_HPTMASK, (1ULL << (vm->hpt_order - 7)) - 1);
		put64(a, VA_DATA_GPA, data_gpa(vm, v));
		put64(a, VA_CODE_GPA, code_gpa(vm, v));
		for (e = 0; e < 4; e++)
			put64(a, VA_VSID + 8 * e, vsid_of(v, e));
		put64(a, VA_FLAGS, (o->stale_erat ? SLBG_FLAG_STALE_ERAT : 0) |
				   (o->pace ? SLBG_FLAG_PACE : 0) |
				   (o->dup_test ? SLBG_FLAG_DUP_TEST : 0));

		for (j = 0; j < o->ncode; j++) {
			uint8_t *p = vm->low + code_gpa(vm, v) + (size_t)j * SLBG_STRIDE;

			memcpy(p, slbg_code_stub, stub);
			__builtin___clear_cache((char *)p, (char *)p + stub);
		}
		if (drop_pages(vm, v, vm->err, sizeof(vm->err)))
			return -1;
	}

	if (set_memory(vm, 0, 0, vm->low, vm->low_size))
		return -1;
	if (vm->data_size && set_memory(vm, 1, vm->data_gpa, vm->data, vm->data_size))
		return -1;
	return 0;
}

static int setup_vcpu(struct slbg_vm *vm, struct slbg_vcpu *c)
{
	uint64_t lpcr = 0;
	struct kvm_one_reg reg = {
		.id = KVM_REG_PPC_LPCR_64,
		.addr = (uint64_t)(uintptr_t)&lpcr,
	};
	struct kvm_enable_cap papr = { .cap = KVM_CAP_PPC_PAPR };
	struct kvm_regs regs;
	uint64_t area = SLBG_VCPU_AREA + (uint64_t)c->index * SLBG_VCPU_AREA_SIZE;

	c->fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, (unsigned long)c->index);
	if (c->fd < 0) {
		VM_ERR(vm, "KVM_CREATE_VCPU %u: %s", c->index, strerror(errno));
		return -1;
	}
	c->run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, c->fd, 0);
	if (c->run == MAP_FAILED) {
		c->run = NULL;
		VM_ERR(vm, "mmap of the kvm_run area of vcpu %u: %s", c->index, strerror(errno));
		return -1;
	}

	/* KVM-HV runs only PAPR guests: without this, KVM_RUN fails EINVAL */
	if (ioctl(c->fd, KVM_ENABLE_CAP, &papr) < 0) {
		VM_ERR(vm, "KVM_ENABLE_CAP(KVM_CAP_PPC_PAPR) vcpu %u: %s", c->index, strerror(errno));
		return -1;
	}

	/* Interrupts little-endian (LPCR_ILE), in real mode (AIL=0) */
	if (ioctl(c->fd, KVM_GET_ONE_REG, &reg) < 0) {
		VM_ERR(vm, "KVM_GET_ONE_REG(LPCR) vcpu %u: %s", c->index, strerror(errno));
		return -1;
	}
	lpcr = (lpcr | LPCR_ILE) & ~LPCR_AIL;
	if (ioctl(c->fd, KVM_SET_ONE_REG, &reg) < 0) {
		VM_ERR(vm, "KVM_SET_ONE_REG(LPCR) vcpu %u: %s", c->index, strerror(errno));
		return -1;
	}

	if (ioctl(c->fd, KVM_GET_REGS, &regs) < 0) {
		VM_ERR(vm, "KVM_GET_REGS vcpu %u: %s", c->index, strerror(errno));
		return -1;
	}
	regs.pc = SLBG_ENTRY;
	regs.msr = MSR_SF | MSR_ME | MSR_LE;
	regs.sprg0 = area;
	regs.gpr[3] = area;
	if (ioctl(c->fd, KVM_SET_REGS, &regs) < 0) {
		VM_ERR(vm, "KVM_SET_REGS vcpu %u: %s", c->index, strerror(errno));
		return -1;
	}
	return 0;
}

int slbg_vm_create(struct slbg_vm *vm, const struct slbg_opts *o)
{
	struct kvm_ppc_mmuv3_cfg cfg = { .flags = 0, .process_table = 0 };
	uint32_t order;
	unsigned int i;
	int r;

	memset(vm, 0, sizeof(*vm));
	vm->o = o;
	vm->kvm_fd = vm->vm_fd = -1;
	vm->pid = getpid();
	pthread_mutex_init(&vm->lock, NULL);
	pthread_cond_init(&vm->cv, NULL);
	pthread_cond_init(&vm->pass_cv, NULL);

	vm->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm->kvm_fd < 0) {
		VM_ERR(vm, "open /dev/kvm: %s (is the kvm module loaded?)", strerror(errno));
		return -1;
	}
	vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, KVM_VM_PPC_HV);
	if (vm->vm_fd < 0) {
		VM_ERR(vm, "KVM_CREATE_VM(KVM_VM_PPC_HV): %s (is kvm_hv loaded, on a powernv host?)",
		       strerror(errno));
		return -1;
	}
	snprintf(vm->debugfs, sizeof(vm->debugfs), "/sys/kernel/debug/kvm/%d-%d",
		 (int)vm->pid, vm->vm_fd);

	r = ioctl(vm->vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPUS);
	if (r > 0 && o->nvcpus > (unsigned int)r) {
		VM_ERR(vm, "--vcpus %u: this kernel allows at most %d vcpus per VM "
		       "(KVM_CAP_MAX_VCPUS)", o->nvcpus, r);
		return -1;
	}

	r = ioctl(vm->vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_PPC_MMU_HASH_V3);
	vm->hash_v3 = r > 0;
	if (vm->hash_v3 && ioctl(vm->vm_fd, KVM_PPC_CONFIGURE_V3_MMU, &cfg) < 0) {
		VM_ERR(vm, "KVM_PPC_CONFIGURE_V3_MMU(HPT): %s", strerror(errno));
		return -1;
	}

	/* HPT size depends on the memory layout: compute it first */
	vm->low_size = SLBG_LOW_SIZE + (size_t)o->nvcpus * o->ncode * SLBG_STRIDE;
	vm->hpt_order = pick_hpt_order(vm);
	order = vm->hpt_order;
	if (ioctl(vm->vm_fd, KVM_PPC_ALLOCATE_HTAB, &order) < 0) {
		VM_ERR(vm, "KVM_PPC_ALLOCATE_HTAB(order %u): %s (hash MMU guests not supported?)",
		       vm->hpt_order, strerror(errno));
		return -1;
	}
	vm->hpt_order = order;

	if (setup_memory(vm))
		return -1;

	r = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (r <= 0) {
		VM_ERR(vm, "KVM_GET_VCPU_MMAP_SIZE: %s", strerror(errno));
		return -1;
	}
	vm->run_size = (size_t)r;
	vm->vcpus = calloc(o->nvcpus, sizeof(*vm->vcpus));
	if (!vm->vcpus) {
		VM_ERR(vm, "out of memory");
		return -1;
	}
	for (i = 0; i < o->nvcpus; i++) {
		vm->vcpus[i].vm = vm;
		vm->vcpus[i].index = i;
		vm->vcpus[i].fd = -1;
		if (setup_vcpu(vm, &vm->vcpus[i]))
			return -1;
	}
	return 0;
}

int slbg_vm_inject(struct slbg_vm *vm, unsigned long count)
{
	char path[160], buf[32];
	int fd, n;

	snprintf(path, sizeof(path), "%s/slb_miss_inject", vm->debugfs);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			VM_ERR(vm, "--inject %lu: %s does not exist (needs the kvmslb-patched kernel "
			       "with CONFIG_KVM_BOOK3S_HV_SLB_MISS_INJECT and debugfs mounted)",
			       count, path);
		else
			VM_ERR(vm, "--inject %lu: open %s: %s", count, path, strerror(errno));
		return -1;
	}
	n = snprintf(buf, sizeof(buf), "%lu\n", count);
	if (write(fd, buf, (size_t)n) != n) {
		VM_ERR(vm, "--inject %lu: write %s: %s", count, path, strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

int slbg_vm_inject_left(struct slbg_vm *vm, long *left)
{
	char path[160], buf[32];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/slb_miss_inject", vm->debugfs);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	*left = strtol(buf, NULL, 10);
	return 0;
}

void slbg_vm_peek_counts(struct slbg_vm *vm, unsigned int index, struct slbg_counts *c)
{
	const uint8_t *a = vcpu_area(vm, index);

	c->dsegi = get64(a, VA_CNT_DSEGI);
	c->isegi = get64(a, VA_CNT_ISEGI);
	c->dsi = get64(a, VA_CNT_DSI);
	c->isi = get64(a, VA_CNT_ISI);
	c->other = get64(a, VA_CNT_OTHER);
	c->hcalls = get64(a, VA_CNT_HCALL);
	c->passes = get64(a, VA_CNT_PASS);
	c->stub = get64(a, VA_CNT_STUB);
	c->status = SLBG_STATUS_STOPPED;
}

static uint64_t elapsed_ms(const struct slbg_vm *vm)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (uint64_t)(now.tv_sec - vm->start.tv_sec) * 1000 +
	       (uint64_t)((now.tv_nsec - vm->start.tv_nsec) / 1000000);
}

/* Another pass? Stops at --loops passes or after --duration seconds. */
static bool go_on(const struct slbg_vm *vm, uint64_t passes)
{
	const struct slbg_opts *o = vm->o;

	if (o->loops && passes >= o->loops)
		return false;
	if (o->duration && elapsed_ms(vm) >= o->duration * 1000)
		return false;
	return o->loops || o->duration;
}

static const char *vector_name(uint64_t v)
{
	switch (v) {
	case 0x100: return "system reset";
	case 0x200: return "machine check";
	case 0x300: return "DSI";
	case 0x380: return "data segment";
	case 0x400: return "ISI";
	case 0x480: return "instruction segment";
	case 0x500: return "external";
	case 0x600: return "alignment";
	case 0x700: return "program";
	case 0x800: return "FP unavailable";
	case 0x900: return "decrementer";
	case 0xc00: return "system call";
	case 0xd00: return "trace";
	case 0xf00: return "performance monitor";
	case 0xf20: return "VMX unavailable";
	case 0xf40: return "VSX unavailable";
	case 0xf60: return "facility unavailable";
	default: return "unexpected vector";
	}
}

/*
 * End of a pass, under vm->lock, once every running vcpu has arrived: one
 * decision for all vcpus, and the host pages of all of them dropped at
 * once while no vcpu runs guest code. (Dropping them while other vcpus
 * fault would bump KVM's mmu_invalidate_seq under their page faults and
 * make them fault again: more HDSI/HISI than pages.)
 */
static void pass_release(struct slbg_vm *vm)
{
	bool go = go_on(vm, vm->pass_done);
	unsigned int v;

	for (v = 0; go && v < vm->o->nvcpus; v++) {
		struct slbg_vcpu *c = &vm->vcpus[v];

		if (c->finished)
			continue;
		if (drop_pages(vm, v, vm->pass_err, sizeof(vm->pass_err)))
			go = false;
	}
	vm->pass_go = go;
	vm->pass_arrived = 0;
	vm->pass_gen++;
	pthread_cond_broadcast(&vm->pass_cv);
}

/* SLBG_HC_PASS: wait for the other vcpus; true = run another pass */
static bool pass_barrier(struct slbg_vcpu *c, uint64_t passes)
{
	struct slbg_vm *vm = c->vm;
	uint64_t gen;
	bool go;

	pthread_mutex_lock(&vm->lock);
	vm->pass_done = passes;
	gen = vm->pass_gen;
	if (++vm->pass_arrived == vm->active)
		pass_release(vm);
	while (gen == vm->pass_gen)
		pthread_cond_wait(&vm->pass_cv, &vm->lock);
	go = vm->pass_go;
	if (vm->pass_err[0])
		vcpu_fail(c, "%s", vm->pass_err);
	pthread_mutex_unlock(&vm->lock);
	return go;
}

/* Returns true when the vcpu is finished. */
static bool handle_hcall(struct slbg_vcpu *c, struct kvm_run *run)
{
	struct slbg_vm *vm = c->vm;
	uint64_t *a = run->papr_hcall.args;

	c->vmm_hcalls++;
	switch (run->papr_hcall.nr) {
	case SLBG_HC_PASS:
		run->papr_hcall.ret = pass_barrier(c, a[0]) ? 1 : 0;
		return c->failed;
	case SLBG_HC_REPORT:
		c->counts.dsegi = a[0];
		c->counts.isegi = a[1];
		c->counts.dsi = a[2];
		c->counts.isi = a[3];
		c->counts.other = a[4];
		c->counts.hcalls = a[5];
		c->counts.passes = a[6];
		c->counts.stub = a[7];
		c->counts.status = a[8];
		c->reported = true;
		return true;
	case SLBG_HC_SEG:
		if (a[0] == 0x380)
			c->seg_dsegi++;
		else
			c->seg_isegi++;
		run->papr_hcall.ret = H_SUCCESS;
		return false;
	case SLBG_HC_EVENT:
		/* Reported as the vcpu's failure; the guest then stops. */
		vcpu_fail(c, "guest vcpu %u took a %s interrupt (0x%llx) at pc=0x%llx "
			  "srr1=0x%llx dar=0x%llx dsisr=0x%llx", c->index, vector_name(a[0]),
			  (unsigned long long)a[0], (unsigned long long)a[1],
			  (unsigned long long)a[2], (unsigned long long)a[3],
			  (unsigned long long)a[4]);
		run->papr_hcall.ret = H_SUCCESS;
		return false;
	case SLBG_HC_FAIL:
		if (a[0] == SLBG_FAIL_SLB_DUP && a[1] & 0x100)
			vcpu_fail(c, "guest vcpu %u: duplicate SLB entry: after the %s interrupt "
				  "for ea=0x%llx the guest reloaded ESID 0x%llx and the SLB held %llu "
				  "entries for it, expected 1", c->index, vector_name(a[3]),
				  (unsigned long long)a[2], (unsigned long long)a[2] >> 28,
				  (unsigned long long)(a[1] & 0xff));
		else if (a[0] == SLBG_FAIL_SLB_DUP)
			vcpu_fail(c, "guest vcpu %u: duplicate SLB entry: at the %s interrupt for "
				  "ea=0x%llx the SLB still held %llu entries for ESID 0x%llx, expected "
				  "0 (the interrupt was synthesized without invalidating the entry; "
				  "reloading it would make a duplicate)", c->index, vector_name(a[3]),
				  (unsigned long long)a[2], (unsigned long long)a[1],
				  (unsigned long long)a[2] >> 28);
		else
			vcpu_fail(c, "guest vcpu %u: H_ENTER for ea=0x%llx failed with %lld%s",
				  c->index, (unsigned long long)a[2], (long long)a[1],
				  (long long)a[1] == -6 ? " (H_PTEG_FULL)" : "");
		return true;
	case SLBG_H_PUT_TERM_CHAR: {
		char buf[16];
		uint64_t len = a[1] > 16 ? 16 : a[1];
		unsigned int i;

		for (i = 0; i < len; i++)
			buf[i] = (char)(a[2 + i / 8] >> (56 - 8 * (i % 8)));
		if (!vm->o->quiet) {
			ssize_t w = write(STDERR_FILENO, buf, len);

			(void)w;
		}
		run->papr_hcall.ret = H_SUCCESS;
		return false;
	}
	default:
		run->papr_hcall.ret = (uint64_t)(int64_t)H_FUNCTION;
		return false;
	}
}

static void *vcpu_thread(void *arg)
{
	struct slbg_vcpu *c = arg;
	struct slbg_vm *vm = c->vm;
	struct kvm_run *run = c->run;
	bool done = false;

	while (!done) {
		if (ioctl(c->fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			vcpu_fail(c, "KVM_RUN vcpu %u: %s", c->index, strerror(errno));
			break;
		}
		c->kvm_runs++;
		switch (run->exit_reason) {
		case KVM_EXIT_PAPR_HCALL:
			done = handle_hcall(c, run);
			break;
		case KVM_EXIT_INTR:
			break;
		case KVM_EXIT_MMIO:
			vcpu_fail(c, "guest vcpu %u accessed unbacked guest address 0x%llx (MMIO exit)",
				  c->index, (unsigned long long)run->mmio.phys_addr);
			done = true;
			break;
		case KVM_EXIT_FAIL_ENTRY:
			vcpu_fail(c, "KVM_RUN vcpu %u: entry failed, reason 0x%llx", c->index,
				  (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
			done = true;
			break;
		case KVM_EXIT_INTERNAL_ERROR:
			vcpu_fail(c, "KVM_RUN vcpu %u: KVM internal error, suberror %u", c->index,
				  run->internal.suberror);
			done = true;
			break;
		default:
			vcpu_fail(c, "KVM_RUN vcpu %u: unexpected exit reason %u", c->index,
				  run->exit_reason);
			done = true;
			break;
		}
	}

	pthread_mutex_lock(&vm->lock);
	c->finished = true;
	vm->ndone++;
	vm->active--;
	if (vm->pass_arrived && vm->pass_arrived == vm->active)
		pass_release(vm);
	pthread_cond_signal(&vm->cv);
	pthread_mutex_unlock(&vm->lock);
	return NULL;
}

int slbg_vm_run(struct slbg_vm *vm)
{
	const struct slbg_opts *o = vm->o;
	struct timespec deadline;
	unsigned int i;
	int r = 0;

	clock_gettime(CLOCK_MONOTONIC, &vm->start);
	vm->active = o->nvcpus;
	for (i = 0; i < o->nvcpus; i++) {
		int e = pthread_create(&vm->vcpus[i].thread, NULL, vcpu_thread, &vm->vcpus[i]);

		if (e) {
			VM_ERR(vm, "pthread_create for vcpu %u: %s", i, strerror(e));
			return -1;
		}
		vm->vcpus[i].started = true;
	}

	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += (time_t)(o->timeout + o->duration);
	pthread_mutex_lock(&vm->lock);
	while (vm->ndone < o->nvcpus) {
		if (!o->timeout) {
			pthread_cond_wait(&vm->cv, &vm->lock);
			continue;
		}
		if (pthread_cond_timedwait(&vm->cv, &vm->lock, &deadline) == ETIMEDOUT &&
		    vm->ndone < o->nvcpus) {
			r = -1;
			break;
		}
	}
	pthread_mutex_unlock(&vm->lock);

	if (r) {
		pthread_mutex_lock(&vm->lock);
		for (i = 0; i < o->nvcpus && vm->vcpus[i].finished; i++)
			;
		pthread_mutex_unlock(&vm->lock);
		VM_ERR(vm, "timed out after %lu s: %u of %u vcpus finished (vcpu %u still running, "
		       "%llu exits to the VMM so far)", o->timeout + o->duration, vm->ndone, o->nvcpus,
		       i < o->nvcpus ? i : 0,
		       (unsigned long long)(i < o->nvcpus ? vm->vcpus[i].kvm_runs : 0));
		return -1;
	}
	for (i = 0; i < o->nvcpus; i++)
		pthread_join(vm->vcpus[i].thread, NULL);
	return 0;
}
