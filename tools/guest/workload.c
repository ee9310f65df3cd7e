// SPDX-License-Identifier: GPL-2.0
/*
 * The Linux guest's workload: touch memory across many 256 MB segments and
 * 64 KB pages, in data and in code, so that the host takes HDSIs and HISIs
 * of both kinds (page not yet mapped by the host, HPTE not yet made by the
 * guest), then check what was written and executed.
 *
 *   workload SEGMENTS PAGES CODE_PAGES SEED ROUNDS
 *
 * ROUNDS 0: as many rounds as it takes for a line to arrive on stdin (the
 * host writes one to the guest's console once it has injected what it
 * wanted while the workload ran), at least one, at most 1000.
 *
 * Each round runs one worker process per online cpu; worker w takes the
 * segments s with s % workers == w. Each round maps a fresh data area of SEGMENTS segments
 * and, per segment, writes WORDS words into each of PAGES pages, then maps
 * a code file (memfd) of CODE_PAGES pages, each a function returning its own
 * constant, executable at a fresh address in each segment, and calls every
 * function. The data is read back. The checksum adds a hash of every word
 * read and every value returned; its expected value is computed from the
 * formula alone. Last line (the test parses it):
 *
 *   KVMSLB-WORKLOAD result=ok|bad segments=S pages=P code=C seed=X rounds=R
 *       workers=W words=N calls=M checksum=0x... expect=0x... ms=T
 *
 * (rounds= is the number of rounds run.) Exit status 0 only if checksum ==
 * expect. tests/e2e/linux_checks.py recomputes expect the same way.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SEG_SIZE	(256UL << 20)	/* a hash-MMU segment below 1 TB */
#define PAGE_64K	(64UL << 10)
#define WORDS		16		/* per page, 4 KB apart */
#define DATA_BASE	0x2000000000UL	/* 128 GB: far from the program and its heap */
#define CODE_BASE	0x6000000000UL	/* 384 GB: other segments again */
#define MAX_ROUNDS	1000

static uint64_t mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* The word written at (round, segment, page, word). */
static uint64_t word_value(uint64_t seed, unsigned r, unsigned s, unsigned p, unsigned k)
{
	return mix64(seed ^ ((uint64_t)r << 48) ^ ((uint64_t)s << 32) ^ ((uint64_t)p << 16) ^ k);
}

/* The constant code page c returns (fits lis/ori: 32 bits). */
static uint32_t code_value(uint64_t seed, unsigned c)
{
	return (uint32_t)mix64(seed ^ 0xc0de000000000000ULL ^ c);
}

/* What one call or one word adds to the checksum. */
static uint64_t acc_word(uint64_t v)
{
	return mix64(v ^ 0x5555555555555555ULL);
}

static uint64_t acc_call(uint32_t v, unsigned r, unsigned s)
{
	return mix64(((uint64_t)v << 16) ^ ((uint64_t)r << 8) ^ s);
}

/* A leaf that needs no TOC; the ABI wants a 32-bit result zero-extended. */
static void emit_function(uint32_t *at, uint32_t v)
{
	at[0] = 0x3c600000u | (v >> 16);		/* lis r3, v@h */
	at[1] = 0x60630000u | (v & 0xffff);		/* ori r3, r3, v@l */
	at[2] = 0x78630020u;				/* clrldi r3, r3, 32 */
	at[3] = 0x4e800020u;				/* blr */
}

struct totals {
	uint64_t sum, words, calls;
};

static void *map_at(uint64_t addr, size_t len, int prot, int flags, int fd)
{
	void *p = mmap((void *)addr, len, prot, flags | MAP_FIXED_NOREPLACE, fd, 0);

	if (p == MAP_FAILED || (uint64_t)p != addr) {
		fprintf(stderr, "workload: mmap at 0x%" PRIx64 " (%zu bytes): %s\n", addr, len,
			p == MAP_FAILED ? strerror(errno) : "placed elsewhere");
		exit(3);
	}
	return p;
}

/* Round r of worker w: a fresh data area, fresh code mappings. */
static void worker(unsigned w, unsigned nw, unsigned segs, unsigned pages, unsigned code,
		   uint64_t seed, unsigned r, int codefd, struct totals *t)
{
	size_t data_len = (size_t)segs * SEG_SIZE;

	{
		char *data = map_at(DATA_BASE, data_len, PROT_READ | PROT_WRITE,
				    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1);

		/* Page-major order: the segments alternate, so the SLB turns over. */
		for (unsigned p = 0; p < pages; p++)
			for (unsigned s = w; s < segs; s += nw)
				for (unsigned k = 0; k < WORDS; k++) {
					uint64_t *at = (uint64_t *)(data + s * SEG_SIZE + p * PAGE_64K +
								   k * (PAGE_64K / WORDS));
					*at = word_value(seed, r, s, p, k);
				}
		for (unsigned s = w; s < segs; s += nw) {
			char *c = map_at(CODE_BASE + s * SEG_SIZE, code * PAGE_64K,
					 PROT_READ | PROT_EXEC, MAP_SHARED, codefd);

			for (unsigned i = 0; i < code; i++) {
				uint32_t (*fn)(void) = (uint32_t (*)(void))(c + i * PAGE_64K);

				t->sum += acc_call(fn(), r, s);
				t->calls++;
			}
			munmap(c, code * PAGE_64K);
		}
		for (unsigned s = w; s < segs; s += nw)
			for (unsigned p = 0; p < pages; p++)
				for (unsigned k = 0; k < WORDS; k++) {
					uint64_t *at = (uint64_t *)(data + s * SEG_SIZE + p * PAGE_64K +
								   k * (PAGE_64K / WORDS));
					t->sum += acc_word(*at);
					t->words++;
				}
		munmap(data, data_len);
	}
}

static uint64_t expected(unsigned segs, unsigned pages, unsigned code, uint64_t seed,
			 unsigned rounds)
{
	uint64_t sum = 0;

	for (unsigned r = 0; r < rounds; r++)
		for (unsigned s = 0; s < segs; s++) {
			for (unsigned i = 0; i < code; i++)
				sum += acc_call(code_value(seed, i), r, s);
			for (unsigned p = 0; p < pages; p++)
				for (unsigned k = 0; k < WORDS; k++)
					sum += acc_word(word_value(seed, r, s, p, k));
		}
	return sum;
}

/* Round r in nw worker processes; adds their totals to *all. */
static int run_round(unsigned nw, unsigned segs, unsigned pages, unsigned code, uint64_t seed,
		     unsigned r, int codefd, struct totals *all)
{
	int fds[16][2];
	pid_t pids[16];
	int bad = 0;

	for (unsigned w = 0; w < nw; w++) {
		if (pipe(fds[w]) || (pids[w] = fork()) < 0) {
			perror("workload: fork");
			exit(3);
		}
		if (pids[w] == 0) {
			struct totals t = { 0 };

			worker(w, nw, segs, pages, code, seed, r, codefd, &t);
			if (write(fds[w][1], &t, sizeof(t)) != sizeof(t))
				_exit(3);
			_exit(0);
		}
		close(fds[w][1]);
	}
	for (unsigned w = 0; w < nw; w++) {
		struct totals t;
		int st = 0;

		if (read(fds[w][0], &t, sizeof(t)) != sizeof(t)) {
			bad++;
		} else {
			all->sum += t.sum;
			all->words += t.words;
			all->calls += t.calls;
		}
		close(fds[w][0]);
		if (waitpid(pids[w], &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st)) {
			fprintf(stderr, "workload: worker %u of round %u ended with status 0x%x\n",
				w, r, st);
			bad++;
		}
	}
	return bad;
}

/* A line waiting on stdin (the console): the host says stop. */
static int stop_requested(void)
{
	struct pollfd p = { .fd = 0, .events = POLLIN };

	return poll(&p, 1, 0) > 0 && (p.revents & (POLLIN | POLLHUP));
}

static unsigned arg(const char *s, const char *what, unsigned lo, unsigned hi)
{
	char *end;
	unsigned long v = strtoul(s, &end, 0);

	if (*s == '\0' || *end != '\0' || v < lo || v > hi) {
		fprintf(stderr, "workload: %s '%s': expected %u..%u\n", what, s, lo, hi);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	if (argc != 6) {
		fprintf(stderr, "usage: workload SEGMENTS PAGES CODE_PAGES SEED ROUNDS\n");
		return 2;
	}
	unsigned segs = arg(argv[1], "SEGMENTS", 1, 256);
	unsigned pages = arg(argv[2], "PAGES", 1, SEG_SIZE / PAGE_64K);
	unsigned code = arg(argv[3], "CODE_PAGES", 1, 64);
	uint64_t seed = arg(argv[4], "SEED", 0, 0xffffffffu);
	unsigned rounds = arg(argv[5], "ROUNDS", 0, MAX_ROUNDS);
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned nw = ncpu < 1 ? 1 : ncpu > 16 ? 16 : (unsigned)ncpu;
	struct timespec t0, t1;

	if (nw > segs)
		nw = segs;
	/* The code file: page i holds a function returning code_value(seed, i). */
	int codefd = memfd_create("kvmslb-code", 0);

	if (codefd < 0 || ftruncate(codefd, code * PAGE_64K)) {
		perror("workload: memfd");
		return 3;
	}
	char *rw = mmap(NULL, code * PAGE_64K, PROT_READ | PROT_WRITE, MAP_SHARED, codefd, 0);

	if (rw == MAP_FAILED) {
		perror("workload: mmap code");
		return 3;
	}
	for (unsigned i = 0; i < code; i++)
		emit_function((uint32_t *)(rw + i * PAGE_64K), code_value(seed, i));
	__builtin___clear_cache(rw, rw + code * PAGE_64K);
	munmap(rw, code * PAGE_64K);

	printf("KVMSLB-WORKLOAD start segments=%u pages=%u code=%u seed=%" PRIu64
	       " rounds=%u workers=%u\n", segs, pages, code, seed, rounds, nw);
	fflush(stdout);
	clock_gettime(CLOCK_MONOTONIC, &t0);

	struct totals all = { 0 };
	int bad_workers = 0;
	unsigned done = 0;

	/* ROUNDS 0: until a line arrives on stdin, at least one round. */
	do
		bad_workers += run_round(nw, segs, pages, code, seed, done++, codefd, &all);
	while (rounds ? done < rounds : done < MAX_ROUNDS && !stop_requested());
	rounds = done;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	uint64_t want = expected(segs, pages, code, seed, rounds);
	int ok = !bad_workers && all.sum == want &&
		 all.words == (uint64_t)rounds * segs * pages * WORDS &&
		 all.calls == (uint64_t)rounds * segs * code;

	printf("KVMSLB-WORKLOAD result=%s segments=%u pages=%u code=%u seed=%" PRIu64
	       " rounds=%u workers=%u words=%" PRIu64 " calls=%" PRIu64
	       " checksum=0x%016" PRIx64 " expect=0x%016" PRIx64 " ms=%ld\n",
	       ok ? "ok" : "bad", segs, pages, code, seed, rounds, nw, all.words, all.calls,
	       all.sum, want,
	       (long)((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000));
	return ok ? 0 : 1;
}
