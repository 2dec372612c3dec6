/*
 * What every libFuzzer harness here shares: the library's log silenced once,
 * and the input cut into parts, each copied where a read past its end is
 * seen: a malloc'd buffer of its exact size (AddressSanitizer) or the end
 * of a mapping (a read by libc itself).
 */
#ifndef HYDRA_FUZZ_H
#define HYDRA_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/hydra.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Messages would only slow the run and fill its log: nothing is said. */
static inline void fuzz_quiet(void)
{
	hydra_set_log(NULL, NULL);
}

/* LEN bytes of DATA and a NUL: a C string, cut at the first NUL inside. */
static inline char *fuzz_str(const uint8_t *data, size_t len)
{
	char *p = malloc(len + 1);

	if (p) {
		memcpy(p, data, len);
		p[len] = '\0';
	}
	return p;
}

/*
 * Reads past a buffer's end that ASan does not see (those inside libc, such
 * as sscanf's) meet an unmapped page instead: a guard is a region of
 * FUZZ_GUARD_MAX bytes followed by a page that may not be read, and
 * fuzz_guarded puts LEN bytes of DATA at its very end. A part longer than
 * that is left out (NULL). Each guard holds one part at a time.
 */
#define FUZZ_GUARD_MAX (1u << 20)

struct fuzz_guard {
	unsigned char *region;
};

static inline const char *fuzz_guarded(struct fuzz_guard *g, const uint8_t *data, size_t len)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	if (!g->region) {
		void *p = mmap(NULL, FUZZ_GUARD_MAX + page, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED || mprotect((unsigned char *)p + FUZZ_GUARD_MAX, page, PROT_NONE))
			abort();
		g->region = p;
	}
	if (len > FUZZ_GUARD_MAX)
		return NULL;
	memcpy(g->region + FUZZ_GUARD_MAX - len, data, len);
	return (const char *)g->region + FUZZ_GUARD_MAX - len;
}

/*
 * DATA cut at its first NUL: *FIRST is what comes before it, *SECOND what
 * comes after (SECOND_LEN bytes). 0 when there is no NUL: all of it is the
 * first part.
 */
static inline int fuzz_split(const uint8_t *data, size_t size, size_t *first_len,
			     const uint8_t **second, size_t *second_len)
{
	const uint8_t *nul = memchr(data, '\0', size);

	if (!nul) {
		*first_len = size;
		*second = NULL;
		*second_len = 0;
		return 0;
	}
	*first_len = (size_t)(nul - data);
	*second = nul + 1;
	*second_len = size - *first_len - 1;
	return 1;
}

#endif
