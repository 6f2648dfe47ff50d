/* judge.h — a stored report's whole judgement: the report's own rules plus
 * those that need the database (history, timeliness, narrative), from inputs
 * the daemon reads from PostgreSQL.  One function for the submission, for the
 * re-judgement of the reports a submission affects, and for the deadline CLI,
 * so a report judged again gets exactly what a fresh submission would get. */
#ifndef GONGKAID_JUDGE_H
#define GONGKAID_JUDGE_H

#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>
#include <libpq-fe.h>

#include "gongkai/findings.h"
#include "gongkai/narrative.h"
#include "gongkai/report.h"

typedef struct gk_judge_input {
    const gk_report *rep;
    const char *prev_body;    /* the same entity's current report of year - 1, or NULL */
    const char *deadline;     /* "YYYY-MM-DD" */
    const char *first_day;    /* date of first submission "YYYY-MM-DD" */
    /* Same-year reports judged similar: [{"entity","name","similarity","body"}]
     * (body: the other report's text), or NULL. */
    const json_t *partners;
    /* Optional (NULL: none): entity → its normalised prose, for partners
     * already normalised in the same batch of judgements.  A re-judgement
     * batch (gk_rejudge_rows) names the same few partners again and again:
     * a cluster of k copies is k - 1 reports with k - 1 partners each, and
     * parsing and normalising each partner's body once per mention was a
     * quarter of the daemon's CPU under load (perf, rel_test_load).  Valid
     * only while every mention of an entity carries the same body (one
     * statement's snapshot). */
    json_t *memo;
} gk_judge_input;

/* Appends every finding (after the parse findings already in out). */
void gk_judge(const gk_judge_input *in, const gk_names *names, gk_findings *out);
/* "errors" | "warnings" | "info" | "ok": the worst severity. */
const char *gk_judge_status(const gk_findings *fs);

/* The prose's MinHash signature and LSH band keys; false when the prose is
 * too short to judge (fewer than GK_SIMILAR_MIN_SHINGLES shingles). */
typedef struct gk_judge_sig {
    size_t shingles;
    uint64_t sig[GK_MINHASH_N];
    uint64_t bands[GK_LSH_BANDS];
} gk_judge_sig;
bool gk_judge_signature(const gk_report *r, const gk_names *names, gk_judge_sig *out);
/* "{v,…}" of n values as signed 64-bit (PostgreSQL bigint[]); malloc'd. */
char *gk_judge_pg_array(const uint64_t *v, size_t n);
/* The smallest number of equal MinHash values that reaches the threshold. */
int gk_judge_min_same(void);

/* Re-judgement of a set of current reports.  gk_rejudge_sql takes $1 = a
 * JSON array [{"entity","year"}] and returns one row per current report;
 * gk_rejudge_rows judges each row and returns the JSON array
 * [{"entity","year","status","findings","errors","warnings","infos"}] that
 * gk_rejudge_update_sql ($1) writes to report_current, bumping the change
 * counters of every ancestor of a report whose judgement changed. */
extern const char *const gk_rejudge_sql;
extern const char *const gk_rejudge_update_sql;
json_t *gk_rejudge_rows(PGresult *res, const gk_names *names);

/* narrative.similar's candidates and the store of a report's signature,
 * bands and pairs are SQL functions now: gk_similar_candidates and
 * gk_submit_write (sql/080_submit.sql). */

#endif
