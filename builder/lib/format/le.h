/*
 * Little-endian numbers at any byte offset of an on-disk structure, which
 * need not be aligned for the number's type.
 */
#ifndef HYDRA_FORMAT_LE_H
#define HYDRA_FORMAT_LE_H

#include <endian.h>
#include <stdint.h>
#include <string.h>

static inline uint32_t hydra_le32_get(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return le32toh(v);
}

static inline void hydra_le32_put(unsigned char *p, uint32_t v)
{
	v = htole32(v);
	memcpy(p, &v, sizeof(v));
}

static inline void hydra_le64_put(unsigned char *p, uint64_t v)
{
	v = htole64(v);
	memcpy(p, &v, sizeof(v));
}

#endif
