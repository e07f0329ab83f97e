// SPDX-License-Identifier: GPL-2.0
/*
 * afalg_load: a background crypto load on the acc algorithms through
 * AF_ALG, for tests that change the device under it (tests/sriov/cycle.sh).
 * Each thread keeps one transform per algorithm open (so the module stays
 * in use) and runs random requests on all four algorithms, each checked
 * against OpenSSL.
 *
 *   afalg_load [-t THREADS] [-s SECONDS] [-f STOPFILE] [-S SEED] [-z MAXLEN]
 *              [-g] [-x]
 *
 * Runs for SECONDS, or until STOPFILE exists, or SIGTERM/SIGINT. Errors of
 * a device that goes away (ENODEV, EIO, ENOENT when the driver is gone,
 * ...) are counted and allowed; a wrong result is never allowed. -x
 * allows no error at all. -g uses the generic drivers (a self-check).
 *
 * Prints one summary line and exits 0 if every result was right and at
 * least one request succeeded, 1 on a wrong result or an error that is
 * not allowed, 2 if nothing succeeded, 3 on bad usage.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "accdev.h"
#include "afalg_util.h"

static volatile sig_atomic_t stop;
static const char *stopfile;
static double seconds;
static unsigned int nthreads = 4;
static size_t max_len = 65536;
static uint64_t seed;
static int generic, strict;

#define NERR 160

struct stats {
	unsigned long ok, bad, err;
	unsigned long by_errno[NERR];
};

static struct stats total;
static pthread_mutex_t total_lock = PTHREAD_MUTEX_INITIALIZER;

/* What a device or driver that disappears may legitimately return. */
static bool allowed(int e)
{
	switch (e) {
	case ENODEV: case EIO: case ENOENT: case EBUSY: case EAGAIN:
	case ETIMEDOUT: case ECANCELED: case ESHUTDOWN: case ENXIO:
	case EINTR: case ENOMEM: case ENOSPC: case EBADMSG:
		return true;
	}
	return false;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static bool done(double end)
{
	if (stop)
		return true;
	if (seconds > 0 && now() > end)
		return true;
	return stopfile && !access(stopfile, F_OK);
}

struct tfm {
	int fd;
	uint8_t key[64];
	int key_len;
};

static int open_tfm(const struct afalg_alg *a, struct tfm *t, uint64_t *rng)
{
	acc_rand_fill(rng, t->key, sizeof(t->key));
	t->key_len = afalg_is_cipher(a->kind) ? 16 + 8 * (int)(acc_rand64(rng) % 3) :
		     a->kind == AK_HMAC ? (int)(acc_rand64(rng) % 65) : -1;
	t->fd = afalg_tfm(a->kind, generic ? a->generic : a->acc, t->key,
			  t->key_len);
	return t->fd < 0 ? t->fd : 0;
}

static void count_err(struct stats *s, int e)
{
	s->err++;
	s->by_errno[e > 0 && e < NERR ? e : 0]++;
}

static void *work(void *arg)
{
	uint64_t rng = seed * 0x9e3779b97f4a7c15ULL + (uintptr_t)arg;
	uint8_t *in = malloc(max_len), *out = malloc(max_len + 32);
	uint8_t *ref = malloc(max_len + 32), iv[16];
	struct tfm t[AFALG_NALGS];
	struct stats s;
	double end = now() + seconds;
	unsigned int i;

	memset(&s, 0, sizeof(s));
	for (i = 0; i < AFALG_NALGS; i++)
		t[i].fd = -1;
	if (!in || !out || !ref) {
		count_err(&s, ENOMEM);
		goto out;
	}
	while (!done(end)) {
		for (i = 0; i < AFALG_NALGS && !done(end); i++) {
			const struct afalg_alg *a = &afalg_algs[i];
			size_t len = acc_rand_range(&rng, 0, max_len);
			bool enc = acc_rand64(&rng) & 1;
			int op, ret;

			if (a->kind == AK_CBC)
				len &= ~(size_t)15;
			if (t[i].fd < 0) {
				ret = open_tfm(a, &t[i], &rng);
				if (ret) {
					count_err(&s, -ret);
					usleep(20000);
					continue;
				}
			}
			acc_rand_fill(&rng, iv, sizeof(iv));
			acc_rand_fill(&rng, in, len);
			op = afalg_op(t[i].fd);
			if (op < 0) {
				ret = op;
			} else if (afalg_is_cipher(a->kind)) {
				ret = afalg_skcipher(op, enc, iv, in, len, out,
						     len > 16384 ? AM_STREAM : AM_ONESHOT,
						     4096);
			} else {
				ret = afalg_hash(op, in, len, out,
						 (len & 1) ? AM_STREAM : AM_ONESHOT,
						 1000 + len / 3, false);
			}
			if (op >= 0)
				close(op);
			if (ret) {
				count_err(&s, -ret);
				/* start over with a new transform, a bit later */
				close(t[i].fd);
				t[i].fd = -1;
				usleep(5000);
				continue;
			}
			afalg_ref(a->kind, enc, t[i].key, t[i].key_len, iv, in,
				  len, ref);
			if (memcmp(out, ref, afalg_is_cipher(a->kind) ? len : 32)) {
				s.bad++;
				fprintf(stderr, "afalg_load: WRONG RESULT %s %s len %zu\n",
					generic ? a->generic : a->acc,
					enc ? "enc" : "dec", len);
			} else {
				s.ok++;
			}
			/* now and then a fresh key and transform */
			if (!(acc_rand64(&rng) % 16)) {
				close(t[i].fd);
				t[i].fd = -1;
			}
		}
	}
out:
	for (i = 0; i < AFALG_NALGS; i++)
		if (t[i].fd >= 0)
			close(t[i].fd);
	free(in);
	free(out);
	free(ref);
	pthread_mutex_lock(&total_lock);
	total.ok += s.ok;
	total.bad += s.bad;
	total.err += s.err;
	for (i = 0; i < NERR; i++)
		total.by_errno[i] += s.by_errno[i];
	pthread_mutex_unlock(&total_lock);
	return NULL;
}

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	unsigned long unexpected = 0;
	pthread_t *th;
	unsigned int i;
	int opt;

	seed = (uint64_t)time(NULL);
	while ((opt = getopt(argc, argv, "t:s:f:S:z:gx")) != -1) {
		switch (opt) {
		case 't':
			nthreads = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 's':
			seconds = strtod(optarg, NULL);
			break;
		case 'f':
			stopfile = optarg;
			break;
		case 'S':
			seed = strtoull(optarg, NULL, 0);
			break;
		case 'z':
			max_len = strtoul(optarg, NULL, 0);
			break;
		case 'g':
			generic = 1;
			break;
		case 'x':
			strict = 1;
			break;
		default:
			fprintf(stderr, "usage: see tests/crypto/afalg_load.c\n");
			return 3;
		}
	}
	if (!nthreads || nthreads > 64 || max_len < 64 || max_len > (16U << 20) ||
	    (seconds <= 0 && !stopfile)) {
		fprintf(stderr, "afalg_load: bad arguments (need -s or -f)\n");
		return 3;
	}
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	th = calloc(nthreads, sizeof(*th));
	if (!th)
		return 3;
	for (i = 0; i < nthreads; i++)
		pthread_create(&th[i], NULL, work, (void *)(uintptr_t)(i + 1));
	for (i = 0; i < nthreads; i++)
		pthread_join(th[i], NULL);
	free(th);

	printf("afalg_load: seed %llu: %lu ok, %lu wrong, %lu errors",
	       (unsigned long long)seed, total.ok, total.bad, total.err);
	for (i = 0; i < NERR; i++) {
		if (!total.by_errno[i])
			continue;
		printf(" %s:%lu", i ? strerror((int)i) : "other", total.by_errno[i]);
		if (strict || !i || !allowed((int)i))
			unexpected += total.by_errno[i];
	}
	printf("\n");
	if (total.bad || unexpected) {
		if (unexpected)
			printf("afalg_load: %lu errors not allowed\n", unexpected);
		return 1;
	}
	return total.ok ? 0 : 2;
}
