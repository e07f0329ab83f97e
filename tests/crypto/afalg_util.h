/* SPDX-License-Identifier: GPL-2.0 */
/*
 * AF_ALG helpers shared by the af_alg kselftest and the afalg_load program:
 * bind a transform by its driver name, and run skcipher and hash requests
 * through the socket API in several ways (one shot, streamed with
 * MSG_MORE, spliced from a pipe).
 */
#ifndef AFALG_UTIL_H
#define AFALG_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>
#include <linux/if_alg.h>

#include "accdev.h"

#ifndef SOL_ALG
#define SOL_ALG 279
#endif

enum afalg_kind { AK_CBC, AK_CTR, AK_SHA256, AK_HMAC };

struct afalg_alg {
	const char *name;
	enum afalg_kind kind;
	const char *acc;	/* cra_driver_name of the acc implementation */
	const char *generic;	/* the kernel's software implementation */
};

static const struct afalg_alg afalg_algs[] = {
	{ "cbc-aes", AK_CBC, "cbc-aes-acc", "cbc(aes-generic)" },
	{ "ctr-aes", AK_CTR, "ctr-aes-acc", "ctr(aes-generic)" },
	{ "sha256", AK_SHA256, "sha256-acc", "sha256-generic" },
	{ "hmac-sha256", AK_HMAC, "hmac-sha256-acc", "hmac(sha256-generic)" },
};

#define AFALG_NALGS (sizeof(afalg_algs) / sizeof(afalg_algs[0]))

static inline bool afalg_is_cipher(enum afalg_kind k)
{
	return k == AK_CBC || k == AK_CTR;
}

/*
 * A transform socket bound to exactly this driver (salg_name is matched
 * against cra_driver_name as well as cra_name), with a key if key_len >= 0.
 * Returns the fd or -errno.
 */
static inline int afalg_tfm(enum afalg_kind kind, const char *driver,
			    const void *key, int key_len)
{
	struct sockaddr_alg sa = { .salg_family = AF_ALG };
	int fd, e;

	strcpy((char *)sa.salg_type, afalg_is_cipher(kind) ? "skcipher" : "hash");
	strncpy((char *)sa.salg_name, driver, sizeof(sa.salg_name) - 1);
	fd = socket(AF_ALG, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)))
		goto err;
	if (key_len >= 0 &&
	    setsockopt(fd, SOL_ALG, ALG_SET_KEY, key, (socklen_t)key_len))
		goto err;
	return fd;
err:
	e = -errno;
	close(fd);
	return e;
}

/* An operation socket of a transform; -errno on failure. */
static inline int afalg_op(int tfm)
{
	int fd = accept4(tfm, NULL, NULL, SOCK_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

/* Read exactly len bytes (recvmsg, so that len 0 still runs a request). */
static inline int afalg_read_all(int fd, void *buf, size_t len)
{
	size_t done = 0;

	do {
		struct iovec iov = {
			.iov_base = (uint8_t *)buf + done,
			.iov_len = len - done,
		};
		struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
		ssize_t n = recvmsg(fd, &msg, 0);

		if (n < 0)
			return -errno;
		if (n == 0 && len)
			return -EIO;
		done += (size_t)n;
	} while (done < len);
	return 0;
}

/* sendmsg with the ALG_SET_OP and ALG_SET_IV control messages. */
static inline ssize_t afalg_send_op(int fd, bool enc, const uint8_t iv[16],
				    const void *data, size_t len, int flags)
{
	char cbuf[CMSG_SPACE(sizeof(uint32_t)) +
		  CMSG_SPACE(sizeof(struct af_alg_iv) + 16)];
	struct iovec iov = { .iov_base = (void *)data, .iov_len = len };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct af_alg_iv *aiv;
	struct cmsghdr *c;
	uint32_t op = enc ? ALG_OP_ENCRYPT : ALG_OP_DECRYPT;
	ssize_t n;

	memset(cbuf, 0, sizeof(cbuf));
	c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_ALG;
	c->cmsg_type = ALG_SET_OP;
	c->cmsg_len = CMSG_LEN(sizeof(op));
	memcpy(CMSG_DATA(c), &op, sizeof(op));
	c = CMSG_NXTHDR(&msg, c);
	c->cmsg_level = SOL_ALG;
	c->cmsg_type = ALG_SET_IV;
	c->cmsg_len = CMSG_LEN(sizeof(*aiv) + 16);
	aiv = (void *)CMSG_DATA(c);
	aiv->ivlen = 16;
	memcpy(aiv->iv, iv, 16);
	n = sendmsg(fd, &msg, flags);
	return n < 0 ? -errno : n;
}

static inline ssize_t afalg_send(int fd, const void *data, size_t len,
				 int flags)
{
	ssize_t n = send(fd, data, len, flags);

	return n < 0 ? -errno : n;
}

/* Move len bytes of user memory into the socket through a pipe. */
static inline int afalg_splice(int fd, const void *data, size_t len,
			       bool more)
{
	int p[2], ret = 0;
	size_t done = 0;

	if (pipe2(p, O_CLOEXEC))
		return -errno;
	while (done < len) {
		struct iovec iov = {
			.iov_base = (uint8_t *)data + done,
			.iov_len = len - done > 65536 ? 65536 : len - done,
		};
		ssize_t n = vmsplice(p[1], &iov, 1, 0), m;

		if (n <= 0) {
			ret = n < 0 ? -errno : -EIO;
			break;
		}
		while (n > 0) {
			bool last = done + (size_t)n >= len;

			m = splice(p[0], NULL, fd, NULL, (size_t)n,
				   (more || !last) ? SPLICE_F_MORE : 0);
			if (m <= 0) {
				ret = m < 0 ? -errno : -EIO;
				goto out;
			}
			n -= m;
			done += (size_t)m;
		}
	}
out:
	close(p[0]);
	close(p[1]);
	return ret;
}

enum afalg_mode {
	AM_ONESHOT,	/* one sendmsg, one read (len <= socket buffer) */
	AM_STREAM,	/* sends with MSG_MORE, each followed by a read */
	AM_SPLICE,	/* like AM_STREAM through vmsplice + splice */
};

/*
 * Encrypt or decrypt len bytes on an op socket. In the streamed modes
 * the kernel chains the IV from one piece to the next; chunk is the piece
 * size (a multiple of 16 but for the last).
 */
static inline int afalg_skcipher(int fd, bool enc, const uint8_t iv[16],
				 const void *in, size_t len, void *out,
				 enum afalg_mode mode, size_t chunk)
{
	size_t done = 0;
	ssize_t n;
	int ret;

	if (mode == AM_ONESHOT || !len) {
		n = afalg_send_op(fd, enc, iv, in, len, 0);
		if (n < 0)
			return (int)n;
		if ((size_t)n != len)
			return -EMSGSIZE;
		return afalg_read_all(fd, out, len);
	}
	if (!chunk || chunk % 16)
		return -EINVAL;
	/* the op and IV first, without data */
	n = afalg_send_op(fd, enc, iv, NULL, 0, MSG_MORE);
	if (n < 0)
		return (int)n;
	while (done < len) {
		size_t c = len - done < chunk ? len - done : chunk;
		bool last = done + c == len;

		if (mode == AM_SPLICE) {
			ret = afalg_splice(fd, (const uint8_t *)in + done, c, !last);
			if (ret)
				return ret;
		} else {
			n = afalg_send(fd, (const uint8_t *)in + done, c,
				       last ? 0 : MSG_MORE);
			if (n < 0)
				return (int)n;
			if ((size_t)n != c)
				return -EMSGSIZE;
		}
		ret = afalg_read_all(fd, (uint8_t *)out + done, c);
		if (ret)
			return ret;
		done += c;
	}
	return 0;
}

/*
 * Hash len bytes on an op socket. AM_ONESHOT: one send (the kernel walks
 * it in pieces of 16 pages); AM_STREAM: sends of chunk bytes with
 * MSG_MORE, the digest read finalises (final_send: an empty send without
 * MSG_MORE finalises instead); AM_SPLICE: through a pipe.
 */
static inline int afalg_hash(int fd, const void *in, size_t len,
			     uint8_t digest[32], enum afalg_mode mode,
			     size_t chunk, bool final_send)
{
	size_t done = 0;
	ssize_t n;
	int ret;

	if (mode == AM_ONESHOT) {
		if (len) {
			n = afalg_send(fd, in, len, 0);
			if (n < 0)
				return (int)n;
			if ((size_t)n != len)
				return -EMSGSIZE;
		}
		return afalg_read_all(fd, digest, 32);
	}
	if (!chunk)
		return -EINVAL;
	while (done < len) {
		size_t c = len - done < chunk ? len - done : chunk;

		if (mode == AM_SPLICE) {
			ret = afalg_splice(fd, (const uint8_t *)in + done, c, true);
			if (ret)
				return ret;
		} else {
			n = afalg_send(fd, (const uint8_t *)in + done, c, MSG_MORE);
			if (n < 0)
				return (int)n;
			if ((size_t)n != c)
				return -EMSGSIZE;
		}
		done += c;
	}
	if (final_send) {
		n = afalg_send(fd, NULL, 0, 0);
		if (n < 0)
			return (int)n;
	}
	return afalg_read_all(fd, digest, 32);
}

/* The OpenSSL answer for the same request. */
static inline int afalg_ref(enum afalg_kind kind, bool enc, const void *key,
			    int key_len, const uint8_t iv[16], const void *in,
			    size_t len, void *out)
{
	uint8_t v[16];

	switch (kind) {
	case AK_CBC:
		memcpy(v, iv, 16);
		return acc_ref_aes(enc ? ACC_OP_AES_CBC_ENC : ACC_OP_AES_CBC_DEC,
				   key, (unsigned int)key_len, v, in, out, len);
	case AK_CTR:
		memcpy(v, iv, 16);
		return acc_ref_aes(ACC_OP_AES_CTR, key, (unsigned int)key_len, v,
				   in, out, len);
	case AK_SHA256:
		return acc_ref_sha256(in, len, out);
	case AK_HMAC:
		return acc_ref_hmac_sha256(key, (unsigned int)key_len, in, len,
					   out);
	}
	return -EINVAL;
}

#endif /* AFALG_UTIL_H */
