/* narrative.h — the rules on a report's prose (sections 一, 五, 六).
 *
 * narrative.foreign_entity: the prose names another township-level unit of
 * the region registry (copy-paste from another township's report).
 * narrative.similar (内容雷同): the prose is a near-duplicate of another
 * entity's report of the same year.  Similarity is measured on character
 * shingles with township names masked and boilerplate shingles removed,
 * estimated by MinHash and found without comparing every pair by LSH bands
 * (kept by the daemon in PostgreSQL).  docs/rules.md gives the method and the
 * measurements behind the threshold. */
#ifndef GONGKAI_NARRATIVE_H
#define GONGKAI_NARRATIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "gongkai/findings.h"
#include "gongkai/report.h"

/* ---- township names ---------------------------------------------------- */

/* The township-level names of the registry, for matching in prose. */
typedef struct gk_names gk_names;

gk_names *gk_names_new(void);
void gk_names_free(gk_names *n);
/* Adds one township-level unit.  Names that are not specific enough to find
 * in prose (fewer than 3 characters, not ending in 镇/乡/街道/苏木, or an
 * ordinary word such as 小城镇 — the list is in names.c) are kept for code
 * lookups but never matched.  `ancestors`: the codes of the unit's ancestors,
 * comma-separated (the registry's regions.path; extra entries such as the
 * root "0" or the code itself do no harm); NULL derives them from the code's
 * structure (统计用区划代码: 2, 4, 6, 9 digits), as gk_names_add does. */
void gk_names_add_unit(gk_names *n, const char *code, const char *name, const char *ancestors);
void gk_names_add(gk_names *n, const char *code, const char *name);
/* Whether some unit bearing the name text[0..len) is `code` itself or lies
 * below it in the registry (a county's or city's own townships). */
bool gk_names_within(const gk_names *n, const char *name, size_t len, const char *code);
size_t gk_names_count(const gk_names *n);
/* The name of a code, or NULL. */
const char *gk_names_name_of(const gk_names *n, const char *code);

/* One match of a name in text: byte offset and length. */
typedef struct gk_name_match {
    size_t offset, len;
} gk_name_match;
/* Finds names in text, leftmost-longest, calling cb for each; stops when cb
 * returns false. */
void gk_names_scan(const gk_names *n, const char *text,
                   bool (*cb)(const gk_name_match *m, void *arg), void *arg);

/* narrative.foreign_entity: appends one warning per distinct foreign name,
 * with how often and where it occurs.  A name is not foreign when a unit
 * bearing it is the report's entity or lies below it (gk_names_within). */
void gk_rules_foreign_entity(const gk_report *r, const gk_names *names, gk_findings *out);

/* ---- near-duplicates --------------------------------------------------- */

#define GK_SHINGLE_CHARS 8        /* characters per shingle */
#define GK_MINHASH_N 128          /* bins of a one-permutation MinHash signature */
#define GK_LSH_BANDS 42           /* bands of 3 rows (126 of the 128 hashes) */
#define GK_SIMILAR_THRESHOLD 0.35 /* estimated Jaccard at or above: similar */
#define GK_SIMILAR_MIN_SHINGLES 40 /* shorter prose is not judged */

typedef struct gk_shingles {
    uint64_t *h;   /* sorted, distinct */
    size_t n, cap;
} gk_shingles;

/* A boilerplate filter: true when the shingle hash is shared boilerplate. */
typedef bool (*gk_boilerplate_fn)(uint64_t shingle, void *arg);

/* The normalised text used for shingling (malloc'd): only letters of CJK and
 * Latin scripts, township names (and the report's own name) masked to one
 * placeholder, digits and punctuation dropped. */
char *gk_narrative_normalise(const gk_report *r, const gk_names *names);
/* Shingles of the normalised prose, minus boilerplate (filter may be NULL;
 * the built-in boilerplate of the regulation's own phrases always applies). */
void gk_narrative_shingles(const gk_report *r, const gk_names *names, gk_boilerplate_fn filter,
                           void *arg, gk_shingles *out);
void gk_shingles_free(gk_shingles *s);
/* Exact Jaccard similarity of two shingle sets. */
double gk_shingles_jaccard(const gk_shingles *a, const gk_shingles *b);

void gk_minhash(const gk_shingles *s, uint64_t sig[GK_MINHASH_N]);
double gk_minhash_similarity(const uint64_t a[GK_MINHASH_N], const uint64_t b[GK_MINHASH_N]);
/* Band keys for LSH: reports sharing any key of the same band are candidates. */
void gk_lsh_bands(const uint64_t sig[GK_MINHASH_N], uint64_t bands[GK_LSH_BANDS]);

/* Passages (of normalised text) shared by a and b, at least min_chars long,
 * longest first, at most max; returns a JSON array of strings. */
json_t *gk_common_passages(const char *norm_a, const char *norm_b, size_t min_chars, size_t max);
/* A report's normalised prose together with where each of its bytes came
 * from in the report's own text: made once per report, compared with any
 * number of others.  Keeps a pointer to r, which must outlive it. */
typedef struct gk_narrative_src gk_narrative_src;
gk_narrative_src *gk_narrative_src_new(const gk_report *r, const gk_names *names);
void gk_narrative_src_free(gk_narrative_src *s);
/* The passages a's prose shares with norm_b (as gk_common_passages), quoted
 * in a's own wording (digits, punctuation and names as written) with the
 * section they are in: [{"path": "narrative.problems", "text": "…"}],
 * longest first, at most max. */
json_t *gk_common_passages_original(const gk_narrative_src *a, const char *norm_b, size_t min_chars, size_t max);

#endif
