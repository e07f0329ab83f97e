// SPDX-License-Identifier: GPL-2.0
/*
 * accload: a timed crypto load through the kernel crypto API (AF_ALG) with
 * a per-algorithm report, every result verified against OpenSSL. Used by
 * `make demo` and bench/run.
 *
 *   accload [-d acc|generic] [-a ALG[,ALG...]] [-t THREADS] [-s SECONDS]
 *           [-n OPS] [-z MIN[-MAX]] [-S SEED]
 *
 * ALG: cbc-aes, ctr-aes, sha256, hmac-sha256 (default: all four). With -n,
 * each thread does OPS operations per algorithm; with -s it runs each
 * algorithm for SECONDS. Exits 1 on any mismatch, error, or algorithm
 * that completed nothing.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "accdev.h"
#include "afalg_util.h"

static bool use_generic;
static unsigned int threads = 2;
static size_t min_len = 16, max_len = 65536;
static double seconds;
static unsigned long nops = 200;
static uint64_t seed = 1;

struct worker {
	pthread_t th;
	const struct afalg_alg *alg;
	unsigned int id;
	unsigned long ops, bytes, mismatches, errors;
	int first_errno;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* One request through AF_ALG and through OpenSSL; 0, 1 (mismatch), -errno. */
static int one_op(const struct afalg_alg *a, uint64_t *rng, size_t len,
		  uint8_t *in, uint8_t *out, uint8_t *ref)
{
	static const int aes_keys[] = { 16, 24, 32 };
	uint8_t key[64], iv[16], iv_ref[16];
	int key_len = -1, tfm, op, ret;
	size_t outlen;

	if (afalg_is_cipher(a->kind))
		key_len = aes_keys[acc_rand64(rng) % 3];
	else if (a->kind == AK_HMAC)
		key_len = (int)(1 + acc_rand64(rng) % 64);
	acc_rand_fill(rng, key, sizeof(key));
	acc_rand_fill(rng, iv, sizeof(iv));
	acc_rand_fill(rng, in, len);
	memcpy(iv_ref, iv, sizeof(iv));
	outlen = afalg_is_cipher(a->kind) ? len : 32;

	tfm = afalg_tfm(a->kind, use_generic ? a->generic : a->acc, key, key_len);
	if (tfm < 0)
		return tfm;
	op = afalg_op(tfm);
	close(tfm);
	if (op < 0)
		return op;
	if (afalg_is_cipher(a->kind))
		ret = afalg_skcipher(op, true, iv, in, len, out, AM_ONESHOT, 0);
	else
		ret = afalg_hash(op, in, len, out, AM_ONESHOT, 0, true);
	close(op);
	if (ret)
		return ret;

	switch (a->kind) {
	case AK_CBC:
		acc_ref_aes(ACC_OP_AES_CBC_ENC, key, key_len, iv_ref, in, ref, len);
		break;
	case AK_CTR:
		acc_ref_aes(ACC_OP_AES_CTR, key, key_len, iv_ref, in, ref, len);
		break;
	case AK_SHA256:
		acc_ref_sha256(in, len, ref);
		break;
	case AK_HMAC:
		acc_ref_hmac_sha256(key, key_len, in, len, ref);
		break;
	}
	return memcmp(out, ref, outlen) ? 1 : 0;
}

static void *work(void *arg)
{
	struct worker *w = arg;
	uint64_t rng = seed * 0x9e3779b97f4a7c15ULL + w->id * 7919 + 1;
	uint8_t *in = malloc(max_len), *out = malloc(max_len + 32);
	uint8_t *ref = malloc(max_len + 32);
	double end = now() + seconds;
	unsigned long i;

	if (!in || !out || !ref) {
		w->errors++;
		w->first_errno = ENOMEM;
		goto out;
	}
	for (i = 0; seconds ? now() < end : i < nops; i++) {
		size_t len = min_len + acc_rand64(&rng) % (max_len - min_len + 1);
		int ret;

		if (w->alg->kind == AK_CBC)
			len &= ~(size_t)15;
		ret = one_op(w->alg, &rng, len, in, out, ref);
		if (ret < 0) {
			if (!w->errors++)
				w->first_errno = -ret;
			continue;
		}
		w->mismatches += ret;
		w->ops++;
		w->bytes += len;
	}
out:
	free(in);
	free(out);
	free(ref);
	return NULL;
}

/* Is NAME one of the comma-separated names in LIST? */
static bool selected(const char *list, const char *name)
{
	size_t n = strlen(name);

	while (*list) {
		if (!strncmp(list, name, n) && (list[n] == ',' || !list[n]))
			return true;
		list = strchrnul(list, ',');
		if (*list)
			list++;
	}
	return false;
}

int main(int argc, char **argv)
{
	const char *alglist = NULL;
	unsigned int i, t;
	int opt, bad = 0;
	char *p;

	while ((opt = getopt(argc, argv, "d:a:t:s:n:z:S:")) != -1) {
		switch (opt) {
		case 'd':
			use_generic = !strcmp(optarg, "generic");
			break;
		case 'a':
			alglist = optarg;
			break;
		case 't':
			threads = strtoul(optarg, NULL, 0);
			break;
		case 's':
			seconds = strtod(optarg, NULL);
			break;
		case 'n':
			nops = strtoul(optarg, NULL, 0);
			break;
		case 'z':
			min_len = strtoul(optarg, &p, 0);
			max_len = *p == '-' ? strtoul(p + 1, NULL, 0) : min_len;
			break;
		case 'S':
			seed = strtoull(optarg, NULL, 0);
			break;
		default:
			fprintf(stderr, "usage: see tests/crypto/accload.c\n");
			return 2;
		}
	}
	/* AM_ONESHOT: one sendmsg must hold the request (socket buffer) */
	if (!threads || max_len < min_len || max_len > 65536) {
		fprintf(stderr, "accload: bad arguments\n");
		return 2;
	}

	printf("%-12s %-22s %8s %12s %10s %9s %s\n", "algorithm", "driver",
	       "ops", "bytes", "MB/s", "verified", "errors");
	for (i = 0; i < AFALG_NALGS; i++) {
		const struct afalg_alg *a = &afalg_algs[i];
		unsigned long ops = 0, bytes = 0, mism = 0, errs = 0;
		int first_errno = 0;
		struct worker *w;
		double t0, dt;

		if (alglist && !selected(alglist, a->name))
			continue;
		w = calloc(threads, sizeof(*w));
		if (!w)
			return 1;
		t0 = now();
		for (t = 0; t < threads; t++) {
			w[t].alg = a;
			w[t].id = t + i * 1000;
			pthread_create(&w[t].th, NULL, work, &w[t]);
		}
		for (t = 0; t < threads; t++) {
			pthread_join(w[t].th, NULL);
			ops += w[t].ops;
			bytes += w[t].bytes;
			mism += w[t].mismatches;
			errs += w[t].errors;
			if (!first_errno)
				first_errno = w[t].first_errno;
		}
		dt = now() - t0;
		printf("%-12s %-22s %8lu %12lu %10.2f %9s", a->name,
		       use_generic ? a->generic : a->acc, ops, bytes,
		       bytes / dt / 1e6, mism ? "MISMATCH" : ops ? "ok" : "-");
		if (errs)
			printf(" %lu (first: %s)", errs, strerror(first_errno));
		printf("\n");
		if (mism || errs || !ops)
			bad = 1;
		free(w);
	}
	return bad;
}
