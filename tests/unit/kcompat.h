/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Just enough of the kernel's types and helpers to build the pure parts of
 * drivers/vfio/pci/acc (stream.c, fsm.c) in userspace for the unit tests.
 */
#ifndef _ACC_KCOMPAT_H_
#define _ACC_KCOMPAT_H_

#include <endian.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <linux/types.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;

#define cpu_to_le16(x)	((__le16)htole16(x))
#define cpu_to_le32(x)	((__le32)htole32(x))
#define cpu_to_le64(x)	((__le64)htole64(x))
#define le16_to_cpu(x)	le16toh(x)
#define le32_to_cpu(x)	le32toh(x)
#define le64_to_cpu(x)	le64toh(x)

#define BIT(n)	(1UL << (n))

#ifndef __user
#define __user
#endif

#define check_add_overflow(a, b, d)	__builtin_add_overflow(a, b, d)

/* The kernel's crc32_le(): CRC-32, reflected 0xedb88320, no inversions. */
static inline u32 crc32_le(u32 crc, const void *buf, size_t len)
{
	const u8 *p = buf;
	int i;

	while (len--) {
		crc ^= *p++;
		for (i = 0; i < 8; i++)
			crc = (crc >> 1) ^ (0xedb88320 & -(crc & 1));
	}
	return crc;
}

#endif /* _ACC_KCOMPAT_H_ */
