/* peers.c — the pieces the benchmark and trend routes share (peers.h). */
#include "peers.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cellparam.h"
#include "gongkai/exactjson.h"
#include "gongkai/report.h"
#include "gongkai/stats.h"
#include "routes.h"

bool gk_peer_group_param(gk_req *r, gk_peer_group *g)
{
    const char *lv = gk_req_param(r, "level"), *kind = gk_req_param(r, "kind");
    memset(g, 0, sizeof *g);
    if (lv == NULL || !strcmp(lv, "township"))
        strcpy(g->level, "4");
    else if (!strcmp(lv, "county"))
        strcpy(g->level, "3");
    else {
        gk_reply_error(r, 422, "invalid_level", "level", "level 应为 township（乡级）或 county（县级）");
        return false;
    }
    if (kind != NULL && *kind != '\0') {
        if (g->level[0] != '4' ||
            (strcmp(kind, "town") && strcmp(kind, "township") && strcmp(kind, "subdistrict"))) {
            gk_reply_error(r, 422, "invalid_kind", "kind",
                           "kind 只用于乡级单位，应为 town（镇）、township（乡）或 subdistrict（街道）");
            return false;
        }
        snprintf(g->kind, sizeof g->kind, "%s", kind);
    }
    return true;
}

int gk_peer_cell_param(const gk_format *f, const char *cell)
{
    char table[GK_CELLPARAM_TABLE], row[GK_CELLPARAM_KEY], column[GK_CELLPARAM_KEY];
    return gk_cell_param(f, cell, table, row, column);
}

int gk_peer_value_json(gk_value_kind kind, const json_t *v, int64_t *out)
{
    char why[96];
    if (v == NULL)
        return GK_PEER_BLANK;
    if (json_is_null(v))
        return GK_PEER_NULL;
    return gk_value_from_json(kind, v, out, why, sizeof why) == 0 ? GK_PEER_NUMBER : GK_PEER_INVALID;
}

int gk_peer_value(gk_value_kind kind, const char *type, const char *text, int64_t *out)
{
    if (type == NULL || *type == '\0')
        return GK_PEER_BLANK;
    if (!strcmp(type, "null"))
        return GK_PEER_NULL;
    if (strcmp(type, "number") != 0)
        return GK_PEER_INVALID;
    /* jsonb keeps a number's decimal text exactly (numeric): read it as
     * such, never through a double */
    json_t *v = NULL;
    if (strpbrk(text, ".eE") != NULL)
        v = strpbrk(text, "eE") ? NULL : gk_json_exact_number(text);
    else {
        char *end = NULL;
        long long x = strtoll(text, &end, 10);
        if (end != text && *end == '\0')
            v = json_integer(x);
    }
    int st = v != NULL ? gk_peer_value_json(kind, v, out) : GK_PEER_INVALID;
    json_decref(v);
    return st;
}

json_t *gk_peer_number(gk_value_kind kind, int64_t v)
{
    if (kind != GK_KIND_AMOUNT)
        return json_integer(v);
    char b[40];
    gk_value_format(kind, v, b, sizeof b);
    return gk_json_exact_number(b);
}

json_t *gk_peer_quartile(gk_value_kind kind, int64_t q4)
{
    char b[40];
    if (kind == GK_KIND_AMOUNT) {
        gk_stats_quarter_amount_text(q4, b, sizeof b);
        return gk_json_exact_number(b);
    }
    if (q4 % 4 == 0)
        return json_integer(q4 / 4);
    gk_stats_quarter_text(q4, b, sizeof b);
    return json_string(b);
}

const char *const gk_peer_region_sql =
    "SELECT path::text,"
    " (SELECT coalesce(sum(counter), 0) FROM region_changes WHERE region = g.code"
    "   AND year BETWEEN $2::int AND $3::int),"
    " (SELECT n FROM registry_generation)"
    " FROM regions g WHERE code = $1";

bool gk_peer_region_ok(gk_req *r, PGresult *res)
{
    if (!gk_req_ok(r, res))
        return false;
    if (PQntuples(res) != 1) {
        gk_reply_error(r, 404, "not_found", "", "没有这个区划：%s", r->seg[0]);
        return false;
    }
    if (!gk_req_in_scope(r, PQgetvalue(res, 0, 0))) {
        gk_reply_error(r, 403, "forbidden", "", "令牌无权访问 %s", r->seg[0]);
        return false;
    }
    return true;
}

static const char *peer_content_type(gk_req *r)
{
    (void)r;
    return "application/json; charset=utf-8";
}

bool gk_peer_answer_by_tag(gk_req *r, PGresult *res, const char *kind)
{
    char etag[sizeof r->etag];
    /* both counters only grow, so the tag changes whenever an input does */
    snprintf(etag, sizeof etag, "\"%s-%s-%s\"", kind, PQgetvalue(res, 0, 1), PQgetvalue(res, 0, 2));
    return gk_answer_cached(r, etag, peer_content_type);
}

void gk_peer_reply(gk_req *r, json_t *o)
{
    char *text = o != NULL ? gk_json_dumps_exact(o, JSON_COMPACT | GK_JSON_REAL_FLAGS) : NULL;
    json_decref(o);
    gk_answer_keep(r, text, text ? strlen(text) : 0, peer_content_type);
}
