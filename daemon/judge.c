/* judge.c — a stored report's whole judgement from what the database holds
 * (see judge.h), and the SQL that feeds it and stores its results. */
#include "judge.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gongkai/rules.h"
#include "gongkai/textutil.h"
#include "store.h"

#define GK_STR_(x) #x
#define GK_STR(x) GK_STR_(x)

/* Longest shared passages named in a narrative.similar finding. */
#define PASSAGE_MIN_CHARS 12
#define PASSAGE_MAX 3
#define PASSAGE_SHOW_CHARS 200

const char *gk_judge_status(const gk_findings *fs)
{
    if (gk_findings_count(fs, GK_SEV_ERROR) > 0)
        return "errors";
    if (gk_findings_count(fs, GK_SEV_WARNING) > 0)
        return "warnings";
    if (gk_findings_count(fs, GK_SEV_INFO) > 0)
        return "info";
    return "ok";
}

/* The first `max` characters of a UTF-8 string, with … when cut. */
static json_t *shorten(const char *s)
{
    size_t i = 0, chars = 0;
    while (s[i] != '\0' && chars < PASSAGE_SHOW_CHARS) {
        i++;
        while (((unsigned char)s[i] & 0xC0) == 0x80)
            i++;
        chars++;
    }
    if (s[i] == '\0')
        return json_string(s);
    char *t = malloc(i + 4);
    if (t == NULL)
        return json_string("");
    memcpy(t, s, i);
    memcpy(t + i, "…", 4); /* 3 bytes + NUL */
    json_t *j = json_string(t);
    free(t);
    return j;
}

/* The other report's normalised prose (new reference, or NULL when its
 * body does not parse), from memo when it was normalised before.  Keyed by
 * entity and year: one batch may re-judge next year's report of the
 * submitter too, whose partners are that year's reports. */
static json_t *partner_norm(const char *entity, int year, const char *body, const gk_names *names, json_t *memo)
{
    char key[64];
    snprintf(key, sizeof key, "%s/%d", entity, year);
    json_t *known = memo != NULL ? json_object_get(memo, key) : NULL;
    if (known != NULL)
        return json_incref(known);
    gk_error e;
    gk_report *other = gk_report_parse(body, strlen(body), NULL, &e);
    if (other == NULL)
        return NULL;
    char *norm = gk_narrative_normalise(other, names);
    gk_report_free(other);
    json_t *j = norm != NULL ? json_string_nocheck(norm) : NULL; /* kept byte for byte, as before */
    free(norm);
    if (j != NULL && memo != NULL)
        json_object_set(memo, key, j);
    return j;
}

/* Quoted in this report's own wording, with the section each passage is
 * in, so a person can find it: the normalised text drops digits and
 * punctuation and masks names. */
static void add_similar(const gk_report *rep, const gk_names *names, const gk_narrative_src *own, const json_t *p,
                        json_t *memo, gk_findings *out)
{
    const char *entity = json_string_value(json_object_get(p, "entity"));
    const char *name = json_string_value(json_object_get(p, "name"));
    const char *body = json_string_value(json_object_get(p, "body"));
    double sim = json_number_value(json_object_get(p, "similarity"));
    if (entity == NULL || body == NULL)
        return;
    json_t *passages = json_array(), *paths = json_array();
    json_t *other_norm = partner_norm(entity, rep->year, body, names, memo);
    if (other_norm != NULL) {
        json_t *found = gk_common_passages_original(own, json_string_value(other_norm), PASSAGE_MIN_CHARS, PASSAGE_MAX);
        size_t i;
        json_t *f;
        json_array_foreach(found, i, f) {
            json_array_append_new(passages, shorten(json_string_value(json_object_get(f, "text"))));
            json_array_append(paths, json_object_get(f, "path"));
        }
        json_decref(found);
        json_decref(other_norm);
    }
    const char *path = json_array_size(paths) > 0 ? json_string_value(json_array_get(paths, 0)) : "narrative";
    char where[32];
    snprintf(where, sizeof where, "%s", path);
    double rounded = round(sim * 100.0) / 100.0;
    json_t *detail = json_pack("{s:s,s:s,s:f,s:o,s:o}", "similar_to", entity, "name", name ? name : "", "similarity",
                               rounded, "passages", passages, "passage_paths", paths);
    gk_findings_add_detail(out, "narrative.similar", GK_SEV_WARNING, where, detail,
                           "正文与%s（%s）%d 年度报告的正文高度雷同（相似度约 %.0f%%），请核对是否相互照搬",
                           name ? name : "", entity, rep->year, sim * 100.0);
}

void gk_judge(const gk_judge_input *in, const gk_names *names, gk_findings *out)
{
    gk_report *prev = NULL;
    if (in->prev_body != NULL) {
        gk_error e;
        prev = gk_report_parse(in->prev_body, strlen(in->prev_body), NULL, &e);
    }
    gk_rules_context ctx = {.previous = prev, .deadline = in->deadline, .first_submitted = in->first_day};
    gk_rules_check(in->rep, &ctx, out);
    if (names != NULL)
        gk_rules_foreign_entity(in->rep, names, out);
    if (json_array_size(in->partners) > 0) {
        /* this report's side, normalised once for all its partners */
        gk_narrative_src *own = gk_narrative_src_new(in->rep, names);
        size_t i;
        const json_t *p;
        json_array_foreach(in->partners, i, p) add_similar(in->rep, names, own, p, in->memo, out);
        gk_narrative_src_free(own);
    }
    gk_report_free(prev);
}

bool gk_judge_signature(const gk_report *r, const gk_names *names, gk_judge_sig *out)
{
    gk_shingles sh = {0};
    gk_narrative_shingles(r, names, NULL, NULL, &sh);
    out->shingles = sh.n;
    bool ok = sh.n >= GK_SIMILAR_MIN_SHINGLES;
    if (ok) {
        gk_minhash(&sh, out->sig);
        gk_lsh_bands(out->sig, out->bands);
    }
    gk_shingles_free(&sh);
    return ok;
}

char *gk_judge_pg_array(const uint64_t *v, size_t n)
{
    size_t cap = n * 22 + 3, len = 0;
    char *s = malloc(cap);
    if (s == NULL)
        return NULL;
    s[len++] = '{';
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            s[len++] = ',';
        len += gk_format_i64(s + len, (int64_t)v[i]); /* cap: 21 bytes per value */
    }
    s[len++] = '}';
    s[len] = '\0';
    return s;
}

int gk_judge_min_same(void)
{
    /* similarity = same / N ≥ threshold, computed as the library does */
    int same = (int)ceil(GK_SIMILAR_THRESHOLD * GK_MINHASH_N - 1e-9);
    while (same > 0 && (double)(same - 1) / GK_MINHASH_N >= GK_SIMILAR_THRESHOLD)
        same--;
    while ((double)same / GK_MINHASH_N < GK_SIMILAR_THRESHOLD)
        same++;
    return same;
}

/* ---- SQL ---- */

const char *const gk_rejudge_sql =
    "SELECT c.entity, c.year, c.body_text,"
    " (SELECT c2.body_text FROM gk_current c2 WHERE c2.entity = c.entity AND c2.year = c.year - 1),"
    " to_char(" GK_SQL_DEADLINE("g.path", "c.year") ", 'YYYY-MM-DD'), " GK_SQL_DAY("c.first_submitted_at") ","
    " (SELECT coalesce(json_agg(json_build_object('entity', p.b, 'name', pg.name, 'similarity', p.similarity,"
    "   'body', pc.body_text) ORDER BY p.similarity DESC, p.b), '[]')"
    "  FROM narrative_pairs p JOIN regions pg ON pg.code = p.b"
    "  JOIN gk_current pc ON pc.entity = p.b AND pc.year = p.year"
    "  WHERE p.year = c.year AND p.a = c.entity)::text"
    " FROM (SELECT DISTINCT entity, year FROM jsonb_to_recordset($1::jsonb) AS k(entity text, year int)) k"
    " JOIN gk_current c ON c.entity = k.entity AND c.year = k.year"
    " JOIN regions g ON g.code = c.entity";

const char *const gk_rejudge_update_sql =
    "WITH u AS (UPDATE report_current c SET status = x.status, findings = x.findings, errors = x.errors,"
    "  warnings = x.warnings, infos = x.infos"
    "  FROM jsonb_to_recordset($1::jsonb) AS x(entity text, year int, status text, findings jsonb, errors int,"
    "   warnings int, infos int)"
    "  WHERE c.entity = x.entity AND c.year = x.year AND (c.findings IS DISTINCT FROM x.findings"
    "   OR c.status IS DISTINCT FROM x.status)"
    "  RETURNING c.entity, c.year),"
    " chg AS (INSERT INTO region_changes (region, year, shard, counter)"
    "  SELECT a, u.year, pg_backend_pid() & 15, count(*) FROM u JOIN regions g ON g.code = u.entity,"
    "  unnest(g.path) AS a GROUP BY a, u.year"
    "  ON CONFLICT (region, year, shard) DO UPDATE SET counter = region_changes.counter + EXCLUDED.counter"
    "  RETURNING 1)"
    " SELECT (SELECT count(*) FROM u), (SELECT count(*) FROM chg)";

enum { J_ENTITY, J_YEAR, J_BODY, J_PREV, J_DEADLINE, J_FIRST, J_PARTNERS };

json_t *gk_rejudge_rows(PGresult *res, const gk_names *names)
{
    json_t *out = json_array();
    json_t *memo = json_object(); /* one statement: one body per entity */
    for (int i = 0; i < PQntuples(res); i++) {
        const char *body = PQgetvalue(res, i, J_BODY);
        gk_findings fs;
        gk_findings_init(&fs);
        gk_error e;
        memset(&e, 0, sizeof e);
        gk_report *rep = gk_report_parse(body, strlen(body), &fs, &e);
        if (rep == NULL) { /* stored reports were accepted: cannot happen */
            gk_findings_free(&fs);
            continue;
        }
        json_t *partners = json_loads(PQgetvalue(res, i, J_PARTNERS), 0, NULL);
        gk_judge_input in = {
            .rep = rep,
            .prev_body = PQgetisnull(res, i, J_PREV) ? NULL : PQgetvalue(res, i, J_PREV),
            .deadline = PQgetvalue(res, i, J_DEADLINE),
            .first_day = PQgetvalue(res, i, J_FIRST),
            .partners = partners,
            .memo = memo,
        };
        gk_judge(&in, names, &fs);
        json_array_append_new(
            out, json_pack("{s:s,s:i,s:s,s:o,s:i,s:i,s:i}", "entity", PQgetvalue(res, i, J_ENTITY), "year",
                           atoi(PQgetvalue(res, i, J_YEAR)), "status", gk_judge_status(&fs), "findings",
                           gk_findings_to_json(&fs), "errors", (int)gk_findings_count(&fs, GK_SEV_ERROR),
                           "warnings", (int)gk_findings_count(&fs, GK_SEV_WARNING), "infos",
                           (int)gk_findings_count(&fs, GK_SEV_INFO)));
        json_decref(partners);
        gk_report_free(rep);
        gk_findings_free(&fs);
    }
    json_decref(memo);
    return out;
}
