/* fuzz_pack.h — packs parts into an in-memory zip (libzip) for the OOXML
 * fuzz targets: random bytes almost never form a zip, so the targets feed
 * their input as one part of a package and mutations reach the XML walk. */
#ifndef GONGKAI_FUZZ_PACK_H
#define GONGKAI_FUZZ_PACK_H
#include <stddef.h>
#include <stdint.h>

typedef struct fuzz_part {
    const char *name;
    const void *data;
    size_t len;
} fuzz_part;

/* A malloc'ed zip holding the parts, or NULL. */
char *fuzz_pack(const fuzz_part *parts, size_t n, size_t *out_len);
/* gk_import_auto on data (entity 350481101, year as given), then the rules
 * on whatever report comes out; everything freed. */
void fuzz_import_check(const char *data, size_t len, int year);
#endif
