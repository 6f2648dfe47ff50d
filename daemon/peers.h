/* peers.h — what the benchmark and trend routes (issue 17) share: the peer
 * group of a region (units of one level, optionally one kind of township,
 * below it), a cell named in a query parameter, a cell's value read exactly
 * from the stored JSON, and the answer cache under a tag that moves with
 * every change of the region's reports or of the registry. */
#ifndef GONGKAID_PEERS_H
#define GONGKAID_PEERS_H

#include <stdbool.h>
#include <stdint.h>

#include "gongkai/format.h"
#include "http.h"

/* The peer group: level 4 (township-level, default) or 3 (county-level),
 * and for townships optionally one kind by the name's ending. */
typedef struct gk_peer_group {
    char level[2];     /* "4" or "3" */
    char kind[16];     /* "", "town" (镇), "township" (乡), "subdistrict" (街道) */
} gk_peer_group;

/* Reads ?level= and ?kind=; false after answering 422. */
bool gk_peer_group_param(gk_req *r, gk_peer_group *g);
/* The cell named tables.<t>.<r>.<c> (the prefix optional) in f, or -1. */
int gk_peer_cell_param(const gk_format *f, const char *cell);

/* SQL condition on regions t selecting the group below a region path:
 * parameters $2 (path), $A (level), $B (kind) given by the caller's
 * numbering in the text (see the routes). */
#define GK_PEER_WHERE(pa, pl, pk)                                                                 \
    " t.level = " pl "::smallint AND t.path >= " pa "::text[] AND t.path < (" pa "::text[] || '~'::text)" \
    " AND (" pk " = '' OR (" pk " = 'town' AND t.name LIKE '%镇')"                                  \
    " OR (" pk " = 'township' AND t.name LIKE '%乡')"                                               \
    " OR (" pk " = 'subdistrict' AND t.name LIKE '%街道%'))"

enum { GK_PEER_NUMBER = 0, GK_PEER_NULL = 1, GK_PEER_BLANK = 2, GK_PEER_INVALID = 3 };
/* A cell's value from jsonb_typeof and its ->> text: *out is exact (amounts
 * scaled by GK_AMOUNT_SCALE). */
int gk_peer_value(gk_value_kind kind, const char *type, const char *text, int64_t *out);
/* The same from a JSON value loaded with gk_json_loadb_exact (NULL: blank). */
int gk_peer_value_json(gk_value_kind kind, const json_t *v, int64_t *out);
/* A number of a kind as JSON: counts as integers, amounts as exact numbers. */
json_t *gk_peer_number(gk_value_kind kind, int64_t v);
/* A quartile (4 × value) as JSON: an integer count, a count between two
 * values as decimal text ("1.5"), an amount as an exact number. */
json_t *gk_peer_quartile(gk_value_kind kind, int64_t q4);

/* The region's path, change counter (summed over years from..to) and
 * registry generation, scope-checked: columns path, counter, generation. */
extern const char *const gk_peer_region_sql;   /* $1 code, $2 year from, $3 year to */
/* Checks the region row (404, 403); false after answering. */
bool gk_peer_region_ok(gk_req *r, PGresult *res);
/* Answers 304 or from the cache under the tag built from kind and the
 * region row; true when answered.  Otherwise r->etag is set for
 * gk_peer_reply. */
bool gk_peer_answer_by_tag(gk_req *r, PGresult *res, const char *kind);
/* Replies with o (stolen) and keeps it in the cache under r->etag. */
void gk_peer_reply(gk_req *r, json_t *o);

#endif
