/* cli_tokens.c — `gongkaid token create|list|revoke` (`deadline set`: cli_deadline.c).
 * A new token is printed once on stdout; only its SHA-256 is stored. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "cli.h"

static int token_create(PGconn *pg, int argc, char **argv)
{
    const char *region = NULL, *role = NULL, *note = "";
    for (int i = 0; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--region") == 0)
            region = argv[i + 1];
        else if (strcmp(argv[i], "--role") == 0)
            role = argv[i + 1];
        else if (strcmp(argv[i], "--note") == 0)
            note = argv[i + 1];
        else {
            fprintf(stderr, "未知选项：%s\n", argv[i]);
            return 2;
        }
    }
    if (region == NULL || gk_role_parse(role) == GK_ROLE_NONE || argc % 2 != 0) {
        fprintf(stderr, "用法：gongkaid token create --region CODE --role submitter|viewer|admin [--note TEXT]\n");
        return 2;
    }
    char tok[68], hex[65], bytea[70];
    if (gk_token_generate(tok) != 0) {
        fprintf(stderr, "无法生成随机令牌\n");
        return 1;
    }
    gk_sha256_hex(tok, strlen(tok), hex);
    snprintf(bytea, sizeof bytea, "\\x%s", hex);
    PGresult *res = NULL;
    const char *v[] = {bytea, region, role, note};
    PGresult *chk = NULL;
    if (gk_cli_exec(pg, "SELECT 1 FROM regions WHERE code = $1", 1, &region, &chk) != 0)
        return 1;
    int known = PQntuples(chk) == 1;
    PQclear(chk);
    if (!known) {
        fprintf(stderr, "区划代码不存在：%s（先导入区划）\n", region);
        return 1;
    }
    if (gk_cli_exec(pg,
            "WITH t AS (INSERT INTO tokens (hash, region, role, note) VALUES ($1::bytea, $2, $3, $4) RETURNING id),"
            " a AS (INSERT INTO audit (action, entity, peer) SELECT 'token.create #' || id || ' ' || $3, $2, 'cli'"
            "  FROM t) SELECT id FROM t",
            4, v, &res) != 0)
        return 1;
    fprintf(stderr, "已创建令牌 #%s（%s，%s）；令牌只显示这一次：\n", PQgetvalue(res, 0, 0), region, role);
    printf("%s\n", tok);
    PQclear(res);
    return 0;
}

static int token_list(PGconn *pg)
{
    PGresult *res = NULL;
    if (gk_cli_exec(pg,
            "SELECT id, region, role, note, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
            " coalesce(to_char(revoked_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), '-')"
            " FROM tokens ORDER BY id",
            0, NULL, &res) != 0)
        return 1;
    printf("%-6s %-12s %-10s %-20s %-20s %s\n", "id", "region", "role", "created_at", "revoked_at", "note");
    for (int i = 0; i < PQntuples(res); i++)
        printf("%-6s %-12s %-10s %-20s %-20s %s\n", PQgetvalue(res, i, 0), PQgetvalue(res, i, 1),
               PQgetvalue(res, i, 2), PQgetvalue(res, i, 4), PQgetvalue(res, i, 5), PQgetvalue(res, i, 3));
    PQclear(res);
    return 0;
}

static int token_revoke(PGconn *pg, const char *id)
{
    PGresult *res = NULL;
    if (gk_cli_exec(pg,
            "WITH t AS (UPDATE tokens SET revoked_at = now() WHERE id::text = $1 AND revoked_at IS NULL RETURNING id,"
            " region), a AS (INSERT INTO audit (action, entity, peer) SELECT 'token.revoke #' || id, region, 'cli'"
            " FROM t) SELECT id FROM t",
            1, &id, &res) != 0)
        return 1;
    int n = PQntuples(res);
    PQclear(res);
    if (n != 1) {
        fprintf(stderr, "没有未吊销的令牌 #%s\n", id);
        return 1;
    }
    fprintf(stderr, "已吊销令牌 #%s\n", id);
    return 0;
}

int gk_cli_token(const gk_config *cfg, int argc, char **argv)
{
    if (argc < 1) {
        fprintf(stderr, "用法：gongkaid token create|list|revoke …\n");
        return 2;
    }
    PGconn *pg = gk_cli_connect(cfg);
    if (pg == NULL || gk_migrate(pg) != 0) {
        PQfinish(pg);
        return 1;
    }
    int rc;
    if (strcmp(argv[0], "create") == 0)
        rc = token_create(pg, argc - 1, argv + 1);
    else if (strcmp(argv[0], "list") == 0)
        rc = token_list(pg);
    else if (strcmp(argv[0], "revoke") == 0 && argc == 2)
        rc = token_revoke(pg, argv[1]);
    else {
        fprintf(stderr, "用法：gongkaid token create|list|revoke …\n");
        rc = 2;
    }
    PQfinish(pg);
    return rc;
}
