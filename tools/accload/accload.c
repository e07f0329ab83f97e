// SPDX-License-Identifier: GPL-2.0
/*
 * accload: a crypto load through the kernel crypto API (AF_ALG), verified
 * against OpenSSL's libcrypto. Used by `make demo` and the benchmarks.
 *
 *   accload [-d acc|generic] [-a ALG[,ALG...]] [-t THREADS] [-s SECONDS]
 *           [-n OPS] [-z MIN[-MAX]] [-S SEED] [-q]
 *
 * ALG: cbc-aes, ctr-aes, sha256, hmac-sha256 (default: all four).
 * Every result is compared with OpenSSL; the exit status is 1 on any
 * mismatch or unexpected error. With -n, each thread does OPS operations
 * per algorithm; with -s it runs each algorithm for SECONDS.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/if_alg.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#ifndef SOL_ALG
#define SOL_ALG 279
#endif

enum kind { K_CBC, K_CTR, K_SHA, K_HMAC };

struct alg {
	const char *name;
	enum kind kind;
	const char *acc;	/* cra_driver_name of the acc driver */
	const char *generic;	/* the kernel's software implementation */
};

static const struct alg algs[] = {
	{ "cbc-aes", K_CBC, "cbc-aes-acc", "cbc(aes-generic)" },
	{ "ctr-aes", K_CTR, "ctr-aes-acc", "ctr(aes-generic)" },
	{ "sha256", K_SHA, "sha256-acc", "sha256-generic" },
	{ "hmac-sha256", K_HMAC, "hmac-sha256-acc", "hmac(sha256-generic)" },
};
#define NALGS (sizeof(algs) / sizeof(algs[0]))

static int use_generic, quiet;
static unsigned int threads = 2, min_len = 16, max_len = 65536;
static double seconds;
static unsigned long nops = 200;
static unsigned long seed = 1;

struct result {
	unsigned long ops, bytes, mismatches, errors;
	int first_errno;
};

static uint64_t rng_next(uint64_t *s)
{
	/* xorshift64* */
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ULL;
}

static void rng_fill(uint64_t *s, void *buf, size_t len)
{
	unsigned char *p = buf;

	while (len) {
		uint64_t v = rng_next(s);
		size_t n = len < 8 ? len : 8;

		memcpy(p, &v, n);
		p += n;
		len -= n;
	}
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int alg_socket(const struct alg *a, const void *key, int keylen)
{
	struct sockaddr_alg sa = { .salg_family = AF_ALG };
	int tfm, op;

	strcpy((char *)sa.salg_type, a->kind <= K_CTR ? "skcipher" : "hash");
	strncpy((char *)sa.salg_name, use_generic ? a->generic : a->acc,
		sizeof(sa.salg_name) - 1);
	tfm = socket(AF_ALG, SOCK_SEQPACKET, 0);
	if (tfm < 0)
		return -errno;
	if (bind(tfm, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    (keylen && setsockopt(tfm, SOL_ALG, ALG_SET_KEY, key, keylen) < 0)) {
		int e = -errno;

		close(tfm);
		return e;
	}
	op = accept(tfm, NULL, 0);
	close(tfm);
	return op < 0 ? -errno : op;
}

/* One operation through AF_ALG; returns 0 or -errno. */
static int kernel_op(const struct alg *a, int fd, const unsigned char *iv,
		     const unsigned char *in, size_t len, unsigned char *out,
		     size_t outlen)
{
	char cbuf[CMSG_SPACE(4) + CMSG_SPACE(sizeof(struct af_alg_iv) + 16)] = {};
	struct iovec iov = { .iov_base = (void *)in, .iov_len = len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *c;
	size_t done = 0;
	ssize_t n;

	if (a->kind <= K_CTR) {
		struct af_alg_iv *aiv;

		msg.msg_control = cbuf;
		msg.msg_controllen = sizeof(cbuf);
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_ALG;
		c->cmsg_type = ALG_SET_OP;
		c->cmsg_len = CMSG_LEN(4);
		*(uint32_t *)CMSG_DATA(c) = ALG_OP_ENCRYPT;
		c = CMSG_NXTHDR(&msg, c);
		c->cmsg_level = SOL_ALG;
		c->cmsg_type = ALG_SET_IV;
		c->cmsg_len = CMSG_LEN(sizeof(*aiv) + 16);
		aiv = (void *)CMSG_DATA(c);
		aiv->ivlen = 16;
		memcpy(aiv->iv, iv, 16);
	}
	n = sendmsg(fd, &msg, 0);
	if (n < 0)
		return -errno;
	if ((size_t)n != len)
		return -EMSGSIZE;
	while (done < outlen) {
		n = read(fd, out + done, outlen - done);
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;
		done += n;
	}
	return 0;
}

static void openssl_op(const struct alg *a, const unsigned char *key,
		       int keylen, const unsigned char *iv,
		       const unsigned char *in, size_t len, unsigned char *out)
{
	const EVP_CIPHER *c;
	EVP_CIPHER_CTX *ctx;
	unsigned int mdlen;
	int l1, l2;

	switch (a->kind) {
	case K_CBC:
	case K_CTR:
		if (a->kind == K_CBC)
			c = keylen == 16 ? EVP_aes_128_cbc() :
			    keylen == 24 ? EVP_aes_192_cbc() : EVP_aes_256_cbc();
		else
			c = keylen == 16 ? EVP_aes_128_ctr() :
			    keylen == 24 ? EVP_aes_192_ctr() : EVP_aes_256_ctr();
		ctx = EVP_CIPHER_CTX_new();
		EVP_EncryptInit_ex(ctx, c, NULL, key, iv);
		EVP_CIPHER_CTX_set_padding(ctx, 0);
		EVP_EncryptUpdate(ctx, out, &l1, in, len);
		EVP_EncryptFinal_ex(ctx, out + l1, &l2);
		EVP_CIPHER_CTX_free(ctx);
		break;
	case K_SHA:
		EVP_Digest(in, len, out, &mdlen, EVP_sha256(), NULL);
		break;
	case K_HMAC:
		HMAC(EVP_sha256(), key, keylen, in, len, out, &mdlen);
		break;
	}
}

struct worker {
	pthread_t th;
	const struct alg *alg;
	unsigned int id;
	struct result res;
};

static void *work(void *arg)
{
	struct worker *w = arg;
	const struct alg *a = w->alg;
	uint64_t s = seed * 0x9e3779b97f4a7c15ULL + w->id * 7919 + 1;
	unsigned char key[64], iv[16], *in, *out, *ref;
	double end = now() + seconds;
	unsigned long i;

	in = malloc(max_len + 64);
	out = malloc(max_len + 64);
	ref = malloc(max_len + 64);
	if (!in || !out || !ref) {
		w->res.errors++;
		w->res.first_errno = ENOMEM;
		return NULL;
	}
	for (i = 0; seconds ? now() < end : i < nops; i++) {
		static const int aes_keys[] = { 16, 24, 32 };
		int keylen = a->kind <= K_CTR ? aes_keys[rng_next(&s) % 3] :
			     a->kind == K_HMAC ? (int)(1 + rng_next(&s) % 64) : 0;
		size_t len = min_len + rng_next(&s) % (max_len - min_len + 1);
		size_t outlen;
		int fd, ret;

		if (a->kind == K_CBC)
			len &= ~(size_t)15;
		outlen = a->kind <= K_CTR ? len : 32;
		rng_fill(&s, key, sizeof(key));
		rng_fill(&s, iv, sizeof(iv));
		rng_fill(&s, in, len);
		fd = alg_socket(a, key, keylen);
		ret = fd < 0 ? fd : kernel_op(a, fd, iv, in, len, out, outlen);
		if (fd >= 0)
			close(fd);
		if (ret) {
			if (!w->res.errors++)
				w->res.first_errno = -ret;
			continue;
		}
		openssl_op(a, key, keylen, iv, in, len, ref);
		if (memcmp(out, ref, outlen))
			w->res.mismatches++;
		w->res.ops++;
		w->res.bytes += len;
	}
	free(in);
	free(out);
	free(ref);
	return NULL;
}

/* Is NAME one of the comma-separated names in LIST? */
static int selected(const char *list, const char *name)
{
	size_t n = strlen(name);

	while (*list) {
		if (!strncmp(list, name, n) && (list[n] == ',' || !list[n]))
			return 1;
		list = strchrnul(list, ',');
		if (*list)
			list++;
	}
	return 0;
}

int main(int argc, char **argv)
{
	char *alglist = NULL, *p;
	int opt, bad = 0;
	unsigned int i, t;

	while ((opt = getopt(argc, argv, "d:a:t:s:n:z:S:q")) != -1) {
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
			seed = strtoul(optarg, NULL, 0);
			break;
		case 'q':
			quiet = 1;
			break;
		default:
			fprintf(stderr, "usage: see the comment at the top of accload.c\n");
			return 2;
		}
	}
	if (!threads || max_len < min_len || max_len > (1U << 20)) {
		fprintf(stderr, "accload: bad arguments\n");
		return 2;
	}

	printf("%-12s %-22s %8s %12s %10s %9s %s\n", "algorithm", "driver", "ops",
	       "bytes", "MB/s", "verified", "errors");
	for (i = 0; i < NALGS; i++) {
		const struct alg *a = &algs[i];
		struct result tot = {};
		struct worker *w;
		double t0, dt;

		if (alglist && !selected(alglist, a->name))
			continue;
		w = calloc(threads, sizeof(*w));
		t0 = now();
		for (t = 0; t < threads; t++) {
			w[t].alg = a;
			w[t].id = t + i * 1000;
			pthread_create(&w[t].th, NULL, work, &w[t]);
		}
		for (t = 0; t < threads; t++) {
			pthread_join(w[t].th, NULL);
			tot.ops += w[t].res.ops;
			tot.bytes += w[t].res.bytes;
			tot.mismatches += w[t].res.mismatches;
			tot.errors += w[t].res.errors;
			if (!tot.first_errno)
				tot.first_errno = w[t].res.first_errno;
		}
		dt = now() - t0;
		printf("%-12s %-22s %8lu %12lu %10.2f %9s", a->name,
		       use_generic ? a->generic : a->acc, tot.ops, tot.bytes,
		       tot.bytes / dt / 1e6,
		       tot.mismatches ? "MISMATCH" : tot.ops ? "ok" : "-");
		if (tot.errors)
			printf(" %lu (first: %s)", tot.errors, strerror(tot.first_errno));
		printf("\n");
		if (tot.mismatches || tot.errors || !tot.ops)
			bad = 1;
		free(w);
	}
	return bad;
}
