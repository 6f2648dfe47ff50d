/* migrate.c — applies sql/NNN_*.sql (embedded at build time) in order.
 * Each migration runs in its own transaction together with its row in
 * schema_migrations, under an advisory lock, so running twice (or two
 * daemons starting at once) applies each exactly once. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

struct gk_migration { const char *version; const char *sql; };
extern const struct gk_migration gk_migrations[];

#define GK_MIGRATE_LOCK "7426617"

static int exec_ok(PGconn *pg, const char *sql, int n, const char *const *vals, PGresult **out)
{
    PGresult *res = PQexecParams(pg, sql, n, NULL, vals, NULL, NULL, 0);
    ExecStatusType st = PQresultStatus(res);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        fprintf(stderr, "数据库迁移失败：%s", PQresultErrorMessage(res));
        PQclear(res);
        return -1;
    }
    if (out != NULL)
        *out = res;
    else
        PQclear(res);
    return 0;
}

int gk_migrate(PGconn *pg)
{
    /* Look before creating: the daemon's own role (sql/030_daemon_role.sql)
     * may not run DDL, and CREATE TABLE IF NOT EXISTS checks that right even
     * when the table exists. */
    PGresult *have = NULL;
    if (exec_ok(pg, "SELECT to_regclass('schema_migrations') IS NULL", 0, NULL, &have) != 0)
        return -1;
    int missing = PQntuples(have) == 1 && PQgetvalue(have, 0, 0)[0] == 't';
    PQclear(have);
    if (missing && exec_ok(pg, "CREATE TABLE IF NOT EXISTS schema_migrations ("
                               " version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())",
                           0, NULL, NULL) != 0)
        return -1;
    for (const struct gk_migration *m = gk_migrations; m->version != NULL; m++) {
        PGresult *res = NULL;
        const char *v[] = {m->version};
        if (exec_ok(pg, "BEGIN", 0, NULL, NULL) != 0)
            return -1;
        if (exec_ok(pg, "SELECT pg_advisory_xact_lock(" GK_MIGRATE_LOCK ")", 0, NULL, NULL) != 0 ||
            exec_ok(pg, "SELECT 1 FROM schema_migrations WHERE version = $1", 1, v, &res) != 0)
            goto fail;
        int done = PQntuples(res) > 0;
        PQclear(res);
        if (!done) {
            /* Our own static SQL, several statements: the simple protocol. */
            PGresult *r = PQexec(pg, m->sql);
            if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK) {
                fprintf(stderr, "迁移 %s 失败：%s", m->version, PQresultErrorMessage(r));
                PQclear(r);
                goto fail;
            }
            PQclear(r);
            if (exec_ok(pg, "INSERT INTO schema_migrations (version) VALUES ($1)", 1, v, NULL) != 0)
                goto fail;
            fprintf(stderr, "已执行迁移 %s\n", m->version);
        }
        if (exec_ok(pg, "COMMIT", 0, NULL, NULL) != 0)
            return -1;
    }
    return 0;
fail:
    PQclear(PQexec(pg, "ROLLBACK"));
    return -1;
}

int gk_migrate_check(PGconn *pg)
{
    int rc = 0;
    for (const struct gk_migration *m = gk_migrations; m->version != NULL && rc == 0; m++) {
        PGresult *res = NULL;
        const char *v[] = {m->version};
        if (exec_ok(pg, "SELECT 1 FROM schema_migrations WHERE version = $1", 1, v, &res) != 0)
            return -1;
        if (PQntuples(res) == 0) {
            fprintf(stderr, "数据库缺少迁移 %s：请先在主库上执行 gongkaid migrate\n", m->version);
            rc = -1;
        }
        PQclear(res);
    }
    return rc;
}

PGconn *gk_cli_connect(const gk_config *cfg)
{
    PGconn *pg = PQconnectdb(cfg->database);
    if (PQstatus(pg) != CONNECTION_OK) {
        fprintf(stderr, "无法连接数据库：%s", PQerrorMessage(pg));
        PQfinish(pg);
        return NULL;
    }
    PQclear(PQexec(pg, "SET client_min_messages = warning"));
    return pg;
}
