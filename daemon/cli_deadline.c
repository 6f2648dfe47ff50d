/* cli_deadline.c — `gongkaid deadline set REGION YEAR YYYY-MM-DD`: a
 * region's own deadline for a report year, inherited by its descendants.
 * timeliness.late depends on it, so in the same transaction every current
 * report of that year at or below the region is judged again (judge.h) and
 * its stored judgement and change counters updated; the generation behind
 * the rollup/compliance ETags moves too. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "cli.h"
#include "judge.h"
#include "townships.h"

/* Reports judged per round trip: bounds the memory of one batch. */
#define REJUDGE_BATCH 200

static int run(PGconn *pg, const char *sql, int n, const char *const *v, PGresult **out)
{
    PGresult *res = PQexecParams(pg, sql, n, NULL, v, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK) {
        fprintf(stderr, "失败：%s", PQresultErrorMessage(res));
        PQclear(res);
        return -1;
    }
    if (out)
        *out = res;
    else
        PQclear(res);
    return 0;
}

/* Judges one batch [{entity, year}] again and stores it; the number of
 * reports whose judgement changed, or -1. */
static long rejudge(PGconn *pg, json_t *batch)
{
    long changed = -1;
    PGresult *res = NULL;
    json_t *rows = NULL;
    char *text = json_dumps(batch, JSON_COMPACT), *utext = NULL;
    const char *v[1] = {text};
    if (text == NULL || run(pg, gk_rejudge_sql, 1, v, &res) != 0)
        goto out;
    rows = gk_rejudge_rows(res, gk_townships());
    PQclear(res);
    res = NULL;
    utext = json_dumps(rows, JSON_COMPACT);
    v[0] = utext;
    if (utext == NULL || run(pg, gk_rejudge_update_sql, 1, v, &res) != 0)
        goto out;
    changed = atol(PQgetvalue(res, 0, 0));
out:
    PQclear(res);
    json_decref(rows);
    free(text);
    free(utext);
    return changed;
}

static int set_deadline(PGconn *pg, const char *region, const char *year, const char *date)
{
    PGresult *res = NULL;
    const char *v[] = {region, year, date};
    long judged = 0, changed = 0;
    if (run(pg, "BEGIN", 0, NULL, NULL) != 0)
        return 1;
    if (run(pg, "SELECT gk_lock_judgement($1::int)", 1, &year, NULL) != 0 ||
        run(pg, "INSERT INTO deadlines (region, year, date) VALUES ($1, $2::int, $3::date) "
                "ON CONFLICT (region, year) DO UPDATE SET date = EXCLUDED.date",
            3, v, NULL) != 0 ||
        run(pg, "INSERT INTO audit (action, entity, year, peer) VALUES ('deadline.set ' || $3, $1, $2::int, 'cli')",
            3, v, NULL) != 0 ||
        run(pg, "SELECT nextval('gk_generation')", 0, NULL, NULL) != 0 || gk_townships_load(pg) != 0 ||
        run(pg, "SELECT c.entity FROM report_current c JOIN regions g ON g.code = c.entity"
                " WHERE c.year = $2::int AND $1 = ANY(g.path) ORDER BY c.entity",
            2, v, &res) != 0)
        goto fail;
    int n = PQntuples(res);
    for (int i = 0; i < n; i += REJUDGE_BATCH) {
        json_t *batch = json_array();
        for (int k = i; k < n && k < i + REJUDGE_BATCH; k++)
            json_array_append_new(batch, json_pack("{s:s,s:i}", "entity", PQgetvalue(res, k, 0), "year", atoi(year)));
        long c = rejudge(pg, batch);
        json_decref(batch);
        if (c < 0)
            goto fail;
        changed += c;
        judged += (long)(n - i < REJUDGE_BATCH ? n - i : REJUDGE_BATCH);
    }
    PQclear(res);
    res = NULL;
    if (run(pg, "COMMIT", 0, NULL, NULL) != 0)
        return 1;
    fprintf(stderr, "已设定 %s %s 年度报告的截止日期为 %s（重新评判 %ld 份报告，其中 %ld 份结论有变）\n", region,
            year, date, judged, changed);
    return 0;
fail:
    PQclear(res);
    PQclear(PQexec(pg, "ROLLBACK"));
    return 1;
}

int gk_cli_deadline(const gk_config *cfg, int argc, char **argv)
{
    if (argc != 4 || strcmp(argv[0], "set") != 0) {
        fprintf(stderr, "用法：gongkaid deadline set REGION YEAR YYYY-MM-DD\n");
        return 2;
    }
    char *end = NULL;
    long y = strtol(argv[2], &end, 10);
    if (end == argv[2] || *end != '\0' || y < 1900 || y > 2999) {
        fprintf(stderr, "年度无效：%s\n", argv[2]);
        return 2;
    }
    PGconn *pg = gk_cli_connect(cfg);
    int rc = 1;
    if (pg != NULL && gk_migrate(pg) == 0)
        rc = set_deadline(pg, argv[1], argv[2], argv[3]);
    gk_townships_free();
    PQfinish(pg);
    return rc;
}
