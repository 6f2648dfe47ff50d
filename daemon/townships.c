/* townships.c — the in-memory township names and their generation (see
 * townships.h).  The event loop is single-threaded and every use of the
 * names is synchronous within one callback, so replacing them between
 * callbacks is safe. */
#include "townships.h"

#include <stdio.h>
#include <stdlib.h>

#include "log.h"

static gk_names *names;
static char generation[24] = "-1";

const char *const gk_townships_sql =
    "SELECT code, name, (SELECT n FROM registry_generation)::text, array_to_string(path, ',') FROM regions"
    " WHERE (SELECT n FROM registry_generation) <> $1::bigint AND level = 4";

const gk_names *gk_townships(void) { return names; }
const char *gk_townships_generation_text(void) { return generation; }

int gk_townships_update(PGresult *res)
{
    if (PQresultStatus(res) != PGRES_TUPLES_OK || PQnfields(res) != 4)
        return -1;
    int n = PQntuples(res);
    if (n == 0)
        return 0;
    gk_names *fresh = gk_names_new();
    if (fresh == NULL)
        return -1;
    for (int i = 0; i < n; i++)
        gk_names_add_unit(fresh, PQgetvalue(res, i, 0), PQgetvalue(res, i, 1), PQgetvalue(res, i, 3));
    gk_names_free(names);
    names = fresh;
    snprintf(generation, sizeof generation, "%s", PQgetvalue(res, 0, 2));
    gk_log_info("%zu township names loaded (registry generation %s)", gk_names_count(names), generation);
    return 0;
}

int gk_townships_load(PGconn *pg)
{
    const char *v[] = {"-1"};
    PGresult *res = PQexecParams(pg, gk_townships_sql, 1, NULL, v, NULL, NULL, 0);
    int rc = gk_townships_update(res);
    if (rc != 0)
        fprintf(stderr, "无法读取区划名称：%s", PQresultErrorMessage(res));
    else if (names == NULL)
        names = gk_names_new(); /* no township yet: an empty list, reloaded when regions arrive */
    PQclear(res);
    return names != NULL ? rc : -1;
}

void gk_townships_free(void)
{
    gk_names_free(names);
    names = NULL;
}
