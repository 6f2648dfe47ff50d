/* cli_deadline.c — `gongkaid deadline set REGION YEAR YYYY-MM-DD`, `deadline
 * unset REGION YEAR` and `deadline list [REGION]`: a region's own deadline for
 * a report year, inherited by its descendants.  timeliness.late depends on it,
 * so setting or unsetting one judges again, in the same transaction, every
 * current report of that year at or below the region (judge.h) and updates its
 * stored judgement and change counters; the generation behind the
 * rollup/compliance ETags moves too (the deadlines trigger moves
 * registry_generation, sql/041). */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "cli.h"
#include "gongkai/report.h"
#include "judge.h"
#include "store.h"
#include "townships.h"

/* Reports judged per round trip: bounds the memory of one batch. */
#define REJUDGE_BATCH 200

/* Judges one batch [{entity, year}] again and stores it; the number of
 * reports whose judgement changed, or -1. */
static long rejudge(PGconn *pg, json_t *batch)
{
    long changed = -1;
    PGresult *res = NULL;
    json_t *rows = NULL;
    char *text = json_dumps(batch, JSON_COMPACT), *utext = NULL;
    const char *v[1] = {text};
    if (text == NULL || gk_cli_exec(pg, gk_rejudge_sql, 1, v, &res) != 0)
        goto out;
    rows = gk_rejudge_rows(res, gk_townships());
    PQclear(res);
    res = NULL;
    utext = json_dumps(rows, JSON_COMPACT);
    v[0] = utext;
    if (utext == NULL || gk_cli_exec(pg, gk_rejudge_update_sql, 1, v, &res) != 0)
        goto out;
    changed = atol(PQgetvalue(res, 0, 0));
out:
    PQclear(res);
    json_decref(rows);
    free(text);
    free(utext);
    return changed;
}

/* Changes a deadline (date: set it; NULL: unset it) and judges again every
 * current report of that year at or below the region, in one transaction. */
static int change_deadline(PGconn *pg, const char *region, const char *year, const char *date)
{
    PGresult *res = NULL;
    const char *v[] = {region, year, date};
    long judged = 0, changed = 0;
    if (gk_cli_exec(pg, "BEGIN", 0, NULL, NULL) != 0)
        return 1;
    if (gk_cli_exec(pg, "SELECT gk_lock_judgement($1::int)", 1, &year, NULL) != 0)
        goto fail;
    if (date != NULL) {
        if (gk_cli_exec(pg, "INSERT INTO deadlines (region, year, date) VALUES ($1, $2::int, $3::date) "
                    "ON CONFLICT (region, year) DO UPDATE SET date = EXCLUDED.date",
                3, v, NULL) != 0 ||
            gk_cli_exec(pg, "INSERT INTO audit (action, entity, year, peer) VALUES ('deadline.set ' || $3, $1, $2::int, 'cli')",
                3, v, NULL) != 0)
            goto fail;
    } else {
        if (gk_cli_exec(pg, "DELETE FROM deadlines WHERE region = $1 AND year = $2::int", 2, v, &res) != 0)
            goto fail;
        bool none = strcmp(PQcmdTuples(res), "0") == 0;
        PQclear(res);
        res = NULL;
        if (none) {
            fprintf(stderr, "%s 没有自己的 %s 年度截止日期，无需取消（见 gongkaid deadline list）\n", region, year);
            goto fail;
        }
        if (gk_cli_exec(pg, "INSERT INTO audit (action, entity, year, peer) VALUES ('deadline.unset', $1, $2::int, 'cli')",
                2, v, NULL) != 0)
            goto fail;
    }
    if (gk_cli_exec(pg, "SELECT nextval('gk_generation')", 0, NULL, NULL) != 0 || gk_townships_load(pg) != 0 ||
        gk_cli_exec(pg, "SELECT c.entity FROM report_current c JOIN regions g ON g.code = c.entity"
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
    if (gk_cli_exec(pg, "COMMIT", 0, NULL, NULL) != 0)
        return 1;
    if (date != NULL)
        fprintf(stderr, "已设定 %s %s 年度报告的截止日期为 %s（重新评判 %ld 份报告，其中 %ld 份结论有变）\n",
                region, year, date, judged, changed);
    else
        fprintf(stderr, "已取消 %s %s 年度报告自己的截止日期，改用上级地区的或默认的次年 1 月 31 日"
                        "（重新评判 %ld 份报告，其中 %ld 份结论有变）\n",
                region, year, judged, changed);
    return 0;
fail:
    PQclear(res);
    PQclear(PQexec(pg, "ROLLBACK"));
    return 1;
}

/* The deadlines as set (a region's descendants that inherit one are not
 * listed); with a region, those that concern it: set on it, on an ancestor
 * (it inherits them) or below it. */
static int list_deadlines(PGconn *pg, const char *region)
{
    PGresult *res = NULL;
    if (region != NULL) {
        if (gk_cli_exec(pg, "SELECT 1 FROM regions WHERE code = $1", 1, &region, &res) != 0)
            return 1;
        int found = PQntuples(res);
        PQclear(res);
        if (found == 0) {
            fprintf(stderr, "没有这个区划：%s\n", region);
            return 1;
        }
    }
    if (gk_cli_exec(pg, "SELECT d.region, d.year, to_char(d.date, 'YYYY-MM-DD'), g.name FROM deadlines d"
                " JOIN regions g ON g.code = d.region"
                " WHERE $1::text IS NULL OR $1 = ANY(g.path)"
                "  OR EXISTS (SELECT 1 FROM regions r WHERE r.code = $1 AND d.region = ANY(r.path))"
                " ORDER BY d.year, array_length(g.path, 1), d.region",
            1, &region, &res) != 0)
        return 1;
    printf("%-12s %-6s %-10s %s\n", "region", "year", "date", "name");
    for (int i = 0; i < PQntuples(res); i++)
        printf("%-12s %-6s %-10s %s\n", PQgetvalue(res, i, 0), PQgetvalue(res, i, 1), PQgetvalue(res, i, 2),
               PQgetvalue(res, i, 3));
    if (PQntuples(res) == 0)
        fprintf(stderr, "没有设定截止日期：各年度报告的截止日期均为次年 1 月 31 日\n");
    PQclear(res);
    return 0;
}

static int usage(void)
{
    fprintf(stderr, "用法：gongkaid deadline set REGION YEAR YYYY-MM-DD\n"
                    "      gongkaid deadline unset REGION YEAR\n"
                    "      gongkaid deadline list [REGION]\n");
    return 2;
}

int gk_cli_deadline(const gk_config *cfg, int argc, char **argv)
{
    const char *cmd = argc > 0 ? argv[0] : "";
    bool set = strcmp(cmd, "set") == 0 && argc == 4, unset = strcmp(cmd, "unset") == 0 && argc == 3,
         list = strcmp(cmd, "list") == 0 && argc <= 2;
    if (!set && !unset && !list)
        return usage();
    if (!list && gk_parse_year(argv[2]) < 0) {
        fprintf(stderr, "年度无效：%s（应为 %d 至 %d）\n", argv[2], GK_YEAR_MIN, GK_YEAR_MAX);
        return 2;
    }
    PGconn *pg = gk_cli_connect(cfg);
    int rc = 1;
    if (pg != NULL && gk_migrate(pg) == 0) {
        if (list)
            rc = list_deadlines(pg, argc == 2 ? argv[1] : NULL);
        else
            rc = change_deadline(pg, argv[1], argv[2], set ? argv[3] : NULL);
    }
    gk_townships_free();
    PQfinish(pg);
    return rc;
}
