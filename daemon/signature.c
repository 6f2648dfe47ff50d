/* signature.c — see signature.h and docs/rules.md (narrative.similar). */
#include "signature.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

const char *const gk_sql_signature_upsert =
    "WITH d AS (DELETE FROM narrative_bands WHERE entity = $1 AND year = $2::int RETURNING 1)"
    " INSERT INTO narrative_sig (entity, year, revision, sig) VALUES ($1, $2::int, $3::int, $4::bigint[])"
    " ON CONFLICT (entity, year) DO UPDATE SET revision = EXCLUDED.revision, sig = EXCLUDED.sig";

/* A separate statement: the old keys must be gone first. */
const char *const gk_sql_bands_insert =
    "INSERT INTO narrative_bands (year, band, key, entity)"
    " SELECT $2::int, (k.band - 1)::smallint, k.key, $1 FROM unnest($3::bigint[]) WITH ORDINALITY AS k(key, band)"
    " ON CONFLICT DO NOTHING";

static char *int64_array(const uint64_t *v, size_t n)
{
    size_t cap = n * 22 + 3, len = 0;
    char *s = malloc(cap);
    if (s == NULL)
        return NULL;
    s[len++] = '{';
    for (size_t i = 0; i < n; i++)
        len += (size_t)snprintf(s + len, cap - len, "%s%" PRId64, i ? "," : "", (int64_t)v[i]);
    s[len++] = '}';
    s[len] = '\0';
    return s;
}

int gk_signature(const gk_report *r, const gk_names *names, uint64_t *sig_out, char **sig, char **bands)
{
    *sig = NULL;
    *bands = NULL;
    gk_shingles sh = {0};
    gk_narrative_shingles(r, names, NULL, NULL, &sh);
    int rc;
    if (sh.n >= GK_SIMILAR_MIN_SHINGLES) {
        uint64_t s[GK_MINHASH_N], b[GK_LSH_BANDS];
        gk_minhash(&sh, s);
        gk_lsh_bands(s, b);
        if (sig_out != NULL)
            memcpy(sig_out, s, sizeof s);
        *sig = int64_array(s, GK_MINHASH_N);
        *bands = int64_array(b, GK_LSH_BANDS);
        rc = 1;
    } else {
        *sig = strdup("{}");
        rc = 0;
    }
    gk_shingles_free(&sh);
    if (*sig == NULL || (rc == 1 && *bands == NULL)) {
        free(*sig);
        free(*bands);
        *sig = *bands = NULL;
        return -1;
    }
    return rc;
}

static int exec_params(PGconn *pg, const char *sql, int n, const char *const *v)
{
    PGresult *res = PQexecParams(pg, sql, n, NULL, v, NULL, NULL, 0);
    int ok = PQresultStatus(res) == PGRES_COMMAND_OK || PQresultStatus(res) == PGRES_TUPLES_OK;
    if (!ok)
        fprintf(stderr, "签名回填失败：%s", PQresultErrorMessage(res));
    PQclear(res);
    return ok ? 0 : -1;
}

int gk_backfill_signatures(PGconn *pg, const gk_names *names)
{
    PGresult *res = PQexec(pg, "SELECT c.entity, c.year, c.revision, r.body_text FROM report_current c"
                               " JOIN reports r ON r.entity = c.entity AND r.year = c.year AND r.revision = c.revision"
                               " LEFT JOIN narrative_sig s ON s.entity = c.entity AND s.year = c.year"
                               "  AND s.revision = c.revision WHERE s.entity IS NULL");
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        fprintf(stderr, "签名回填失败：%s", PQresultErrorMessage(res));
        PQclear(res);
        return -1;
    }
    int n = PQntuples(res), rc = 0;
    if (n > 0 && exec_params(pg, "BEGIN", 0, NULL) != 0)
        rc = -1;
    for (int i = 0; i < n && rc == 0; i++) {
        const char *body = PQgetvalue(res, i, 3);
        gk_error err;
        gk_report *rep = gk_report_parse(body, strlen(body), NULL, &err);
        char *sig = NULL, *bands = NULL;
        int s = rep != NULL ? gk_signature(rep, names, NULL, &sig, &bands) : 0;
        gk_report_free(rep);
        if (s < 0) {
            rc = -1;
            break;
        }
        const char *v[] = {PQgetvalue(res, i, 0), PQgetvalue(res, i, 1), PQgetvalue(res, i, 2), sig ? sig : "{}"};
        if (exec_params(pg, gk_sql_signature_upsert, 4, v) != 0)
            rc = -1;
        const char *vb[] = {v[0], v[1], bands};
        if (rc == 0 && bands != NULL && exec_params(pg, gk_sql_bands_insert, 3, vb) != 0)
            rc = -1;
        free(sig);
        free(bands);
    }
    if (n > 0)
        PQclear(PQexec(pg, rc == 0 ? "COMMIT" : "ROLLBACK"));
    if (n > 0 && rc == 0)
        gk_log_info("narrative signatures computed for %d stored report(s)", n);
    PQclear(res);
    return rc;
}
