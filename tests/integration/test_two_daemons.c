/* test_two_daemons.c — two gongkaid processes on one PostgreSQL stay
 * coherent (issue 9): a write through A is visible through B — reports at
 * once, rollup and compliance polls once A's announcement arrives —, ETags
 * agree across processes and move together — also for a registry change
 * made by hand, which must not leak a new tag before it commits —, the
 * triggers send the documented notifications at commit (and none inside a
 * submission, which the daemon announces after it), the township names
 * of narrative.foreign_entity follow a registry change made by a third
 * process, also across a gap of the LISTEN connections, after which each
 * daemon drops its answer cache.
 *
 * Warm polls are answered from memory (daemon/readcache.h): the writing
 * daemon's own next poll sees its write at once, the other daemon's once
 * the writer's announcement arrives (B reads its watermark only every
 * hour, so that is what it proves), a change no one announced within the
 * watermark period, and a revoked token is refused once its notification
 * arrives.
 *
 * B also logs as it would under systemd (JOURNAL_STREAM), A as from a shell.
 * Both daemons reconnect their listener only after 5 s, so the test can
 * make a registry change while neither is listening, deterministically. */
#include <check.h>
#include <jansson.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "harness.h"

static gk_h A, B; /* B: a copy of A's harness with its own daemon */
static char tok_sub[260], tok_view[260];
static char *sample_text;

#define TOWN "350481101"
#define CITY "350481"


static json_t *get_json(gk_h *h, const char *path, char *etag, size_t etag_len)
{
    gk_resp r = gk_h_call(h, "GET", path, tok_view, NULL, NULL);
    ck_assert_msg(r.status == 200, "%s: %d %s", path, r.status, r.body);
    if (etag != NULL)
        ck_assert_ptr_nonnull(gk_resp_header(&r, "ETag", etag, etag_len));
    json_t *j = json_loads(r.body, 0, NULL);
    ck_assert_ptr_nonnull(j);
    gk_resp_free(&r);
    return j;
}

static int get_status(gk_h *h, const char *path, const char *etag)
{
    char inm[160];
    snprintf(inm, sizeof inm, "If-None-Match: %s", etag);
    gk_resp r = gk_h_call(h, "GET", path, tok_view, NULL, inm);
    int st = r.status;
    gk_resp_free(&r);
    return st;
}

/* The sample as 贡川镇's report with one cell set and the prose's "other"
 * section replaced; malloc'd. */
static char *report(long decisions, const char *other)
{
    json_t *d = json_loads(sample_text, 0, NULL);
    ck_assert_ptr_nonnull(d);
    json_t *row = json_object_get(json_object_get(json_object_get(d, "tables"), "active"), "penalties");
    ck_assert_ptr_nonnull(row);
    json_object_set_new(row, "decisions", json_integer(decisions));
    if (other != NULL)
        json_object_set_new(json_object_get(d, "narrative"), "other", json_string(other));
    char *s = json_dumps(d, JSON_COMPACT);
    json_decref(d);
    return s;
}

static json_int_t rollup_decisions(json_t *rollup)
{
    json_t *c = json_object_get(
        json_object_get(json_object_get(json_object_get(json_object_get(json_object_get(rollup, "rollup"), "tables"),
                                                        "active"),
                                        "penalties"),
                        "decisions"),
        "sum");
    ck_assert_msg(json_is_integer(c), "rollup has no integer active.penalties.decisions.sum");
    return json_integer_value(c);
}

/* A counter of h's /metrics, by its full name with labels. */
static long metric(gk_h *h, const char *series)
{
    gk_resp r;
    ck_assert_int_eq(gk_h_http(h, "GET", "/metrics", NULL, NULL, 0, &r), 0);
    char key[128];
    snprintf(key, sizeof key, "%s ", series);
    const char *p = strstr(r.body, key);
    ck_assert_msg(p != NULL, "no %s in /metrics", series);
    long v = atol(p + strlen(key));
    gk_resp_free(&r);
    return v;
}

#define READ_HITS "gongkai_read_cache_total{result=\"hit\"}"

/* Deadline of the polls for something another process announces (a
 * notification, a watermark read, a warm cache).  They return as soon as it
 * happened, usually within milliseconds; 5 s was an idle machine's figure,
 * and a busy 2-core CI under ASan must not fail on scheduling. */
#define AWAIT_MS 30000

/* Polls until one poll by `token` is answered from memory (a warm cache
 * needs a first poll, and settles once notifications of earlier changes
 * have arrived); false at the deadline.  The tag into etag. */
static bool await_memory_hit(gk_h *h, const char *path, const char *token, char *etag, size_t len)
{
    long t0 = gk_h_now_ms();
    while (gk_h_now_ms() - t0 < AWAIT_MS) {
        long before = metric(h, READ_HITS);
        gk_resp r = gk_h_call(h, "GET", path, token, NULL, NULL);
        ck_assert_msg(r.status == 200, "%s: %d %s", path, r.status, r.body);
        ck_assert_ptr_nonnull(gk_resp_header(&r, "ETag", etag, len));
        gk_resp_free(&r);
        if (metric(h, READ_HITS) == before + 1)
            return true;
        gk_h_nap_ms(5);
    }
    return false;
}

/* Polls h until the rollup's tag differs from `old`; the time it took in
 * ms, or -1 at the deadline.  The new tag into out. */
static long await_new_tag(gk_h *h, const char *path, const char *old, char *out, size_t len, int timeout_ms)
{
    long t0 = gk_h_now_ms();
    while (gk_h_now_ms() - t0 < timeout_ms) {
        json_decref(get_json(h, path, out, len));
        if (strcmp(out, old) != 0)
            return gk_h_now_ms() - t0;
        gk_h_nap_ms(2);
    }
    return -1;
}

START_TEST(read_after_write)
{
    const char *rollup = "/api/v1/regions/" CITY "/rollup?year=2020";
    const char *compliance = "/api/v1/regions/" CITY "/compliance?year=2020";
    char ta0[96], tb0[96], ca0[96], cb0[96];
    json_decref(get_json(&A, rollup, ta0, sizeof ta0));
    json_decref(get_json(&B, rollup, tb0, sizeof tb0));
    json_decref(get_json(&A, compliance, ca0, sizeof ca0));
    json_decref(get_json(&B, compliance, cb0, sizeof cb0));
    /* The ETag is a function of the database, not of the process. */
    ck_assert_str_eq(ta0, tb0);
    ck_assert_str_eq(ca0, cb0);
    ck_assert_int_eq(get_status(&B, rollup, ta0), 304);
    ck_assert_int_eq(get_status(&A, compliance, cb0), 304);

    /* Submit through A; B's next read of the report (always validated in
     * the database) has it. */
    char *t = report(7, NULL);
    gk_resp r = gk_h_call(&A, "POST", "/api/v1/reports", tok_sub, t, NULL);
    ck_assert_msg(r.status == 201, "%d %s", r.status, r.body);
    json_t *sub = json_loads(r.body, 0, NULL);
    gk_resp_free(&r);
    free(t);
    json_t *got = get_json(&B, "/api/v1/reports/" TOWN "/2020", NULL, 0);
    ck_assert_int_eq(json_integer_value(json_object_get(got, "revision")), 1);
    ck_assert_str_eq(json_string_value(json_object_get(got, "content_hash")),
                     json_string_value(json_object_get(sub, "content_hash")));
    json_decref(got);
    json_decref(sub);

    /* Rollup and compliance polls may be answered from B's memory: B sees
     * the write once A's announcement has arrived (daemon/readcache.h). */
    char tb1[96], ta1[96], cb1[96];
    ck_assert_msg(await_new_tag(&B, rollup, tb0, tb1, sizeof tb1, AWAIT_MS) >= 0, "B never saw A's write");
    json_t *ru = get_json(&B, rollup, tb1, sizeof tb1);
    ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(ru, "rollup"), "reports")), 1);
    ck_assert_int_eq(rollup_decisions(ru), 7);
    json_decref(ru);
    ck_assert_str_ne(tb1, tb0);
    ck_assert_int_eq(get_status(&B, rollup, tb0), 200);     /* B's old tag is stale on B */
    json_decref(get_json(&A, rollup, ta1, sizeof ta1));
    ck_assert_str_eq(ta1, tb1);
    ck_assert_int_eq(get_status(&B, rollup, ta1), 304);     /* A's new tag is current on B */
    ck_assert(await_new_tag(&B, compliance, cb0, cb1, sizeof cb1, AWAIT_MS) >= 0);
    json_t *co = get_json(&B, compliance, cb1, sizeof cb1);
    ck_assert_str_ne(cb1, cb0);
    ck_assert_int_eq(get_status(&A, compliance, cb1), 304);
    json_decref(co);

    /* And the other way: revision 2 through B, read through A. */
    t = report(11, NULL);
    r = gk_h_call(&B, "POST", "/api/v1/reports", tok_sub, t, NULL);
    ck_assert_msg(r.status == 201, "%d %s", r.status, r.body);
    gk_resp_free(&r);
    free(t);
    got = get_json(&A, "/api/v1/reports/" TOWN "/2020", NULL, 0);
    ck_assert_int_eq(json_integer_value(json_object_get(got, "revision")), 2);
    json_decref(got);
    char ta2[96];
    ck_assert(await_new_tag(&A, rollup, ta1, ta2, sizeof ta2, AWAIT_MS) >= 0);
    ru = get_json(&A, rollup, ta2, sizeof ta2);
    ck_assert_int_eq(rollup_decisions(ru), 11);
    ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(ru, "rollup"), "reports")), 1);
    json_decref(ru);
    ck_assert_str_ne(ta2, ta1);
    ck_assert_int_eq(get_status(&A, rollup, tb1), 200);
    ck_assert_int_eq(get_status(&B, rollup, ta2), 304);
}
END_TEST

/* Waits until every payload of `want` (NULL-terminated) has arrived on
 * conn as a notification of gk_changes; others are ignored. */
static bool await_notify(PGconn *conn, const char *const *want, int timeout_ms)
{
    bool seen[8] = {false};
    int nwant = 0, nseen = 0;
    while (want[nwant] != NULL && nwant < 8)
        nwant++;
    long end = gk_h_now_ms() + timeout_ms;
    while (nseen < nwant && gk_h_now_ms() < end) {
        struct pollfd p = {.fd = PQsocket(conn), .events = POLLIN};
        if (poll(&p, 1, 50) < 0 || PQconsumeInput(conn) == 0)
            return false;
        PGnotify *n;
        while ((n = PQnotifies(conn)) != NULL) {
            for (int i = 0; i < nwant; i++)
                if (!seen[i] && strcmp(n->relname, "gk_changes") == 0 && strcmp(n->extra, want[i]) == 0) {
                    seen[i] = true;
                    nseen++;
                }
            PQfreemem(n);
        }
    }
    return nseen == nwant;
}

static bool await1(PGconn *conn, const char *payload, int timeout_ms)
{
    const char *w[] = {payload, NULL};
    return await_notify(conn, w, timeout_ms);
}

START_TEST(notifications_at_commit)
{
    PGconn *l = PQconnectdb(A.conninfo);
    ck_assert_int_eq(PQstatus(l), CONNECTION_OK);
    PQclear(PQexec(l, "LISTEN gk_changes"));
    /* A submission's transaction notifies nobody: NOTIFY would serialise
     * every commit on the database-wide notify lock (041).  The daemon
     * announces "data" after the commit instead, from its listener. */
    const char *nlisten = "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'gongkaid listener'";
    for (long end = gk_h_now_ms() + 20000; gk_h_sql_long(&A, nlisten, 0, NULL) != 2 && gk_h_now_ms() < end;)
        gk_h_nap_ms(20);
    ck_assert_int_eq(gk_h_sql_long(&A, nlisten, 0, NULL), 2);
    char *t = report(13, NULL);
    gk_resp r = gk_h_call(&A, "POST", "/api/v1/reports", tok_sub, t, NULL);
    ck_assert_int_eq(r.status, 201);
    gk_resp_free(&r);
    free(t);
    ck_assert(await1(l, "data", 10000));
    const char *ry[] = {"ry 2020 " TOWN, NULL};
    ck_assert(!await_notify(l, ry, 300));
    /* Not before commit: an open transaction's notification waits. */
    PGconn *w = PQconnectdb(A.conninfo);
    ck_assert_int_eq(PQstatus(w), CONNECTION_OK);
    PQclear(PQexec(w, "BEGIN"));
    PQclear(PQexec(w, "INSERT INTO deadlines (region, year, date) VALUES ('35', 2031, '2032-03-01')"));
    ck_assert(!await1(l, "registry", 300));
    PQclear(PQexec(w, "COMMIT"));
    ck_assert(await1(l, "registry", 10000));
    /* A rolled-back change notifies nobody. */
    PQclear(PQexec(w, "BEGIN"));
    PQclear(PQexec(w, "UPDATE tokens SET note = note WHERE id = 1"));
    PQclear(PQexec(w, "ROLLBACK"));
    ck_assert(!await1(l, "tokens", 300));
    PQclear(PQexec(w, "UPDATE tokens SET note = note WHERE id = 1"));
    ck_assert(await1(l, "tokens", 10000));
    PQfinish(w);
    PQfinish(l);
}
END_TEST

/* A registry change made by hand (psql, no gongkaid command): while it is
 * uncommitted, readers keep the old tag and content; once committed, every
 * daemon gives a new tag with the new content.  (With a tag generation that
 * moved before commit, a read in between cached the old content under the
 * new tag, served ever after.) */
START_TEST(registry_change_moves_tags)
{
    const char *rollup = "/api/v1/regions/" CITY "/rollup?year=2020";
    char t0[96], t1[96], t2[96], t3[96];
    json_t *j = get_json(&B, rollup, t0, sizeof t0);
    char *text = json_dumps(j, 0);
    ck_assert_ptr_null(strstr(text, "安砂镇（更名）"));
    free(text);
    json_decref(j);
    PGconn *w = PQconnectdb(A.conninfo);
    ck_assert_int_eq(PQstatus(w), CONNECTION_OK);
    PQclear(PQexec(w, "BEGIN"));
    PGresult *res = PQexec(w, "UPDATE regions SET name = '安砂镇（更名）' WHERE code = '350481102'");
    ck_assert_int_eq(PQresultStatus(res), PGRES_COMMAND_OK);
    PQclear(res);
    json_decref(get_json(&B, rollup, t1, sizeof t1)); /* uncommitted: the old state */
    ck_assert_str_eq(t1, t0);
    res = PQexec(w, "COMMIT");
    ck_assert_int_eq(PQresultStatus(res), PGRES_COMMAND_OK);
    PQclear(res);
    PQfinish(w);
    const gk_h *both[] = {&A, &B};
    for (int i = 0; i < 2; i++) {
        j = get_json((gk_h *)both[i], rollup, i == 0 ? t2 : t3, sizeof t2);
        text = json_dumps(j, 0);
        ck_assert_msg(strstr(text, "安砂镇（更名）") != NULL, "daemon %c serves the old registry", "AB"[i]);
        free(text);
        json_decref(j);
        ck_assert_str_ne(i == 0 ? t2 : t3, t0);
        ck_assert_int_eq(get_status((gk_h *)both[i], rollup, t0), 200);
    }
    ck_assert_str_eq(t2, t3);
}
END_TEST

/* Does POST /check through h name `township` in a foreign_entity finding? */
static bool check_names(gk_h *h, const char *township)
{
    char other[160];
    snprintf(other, sizeof other, "本年度与%s交流了政务公开工作经验。", township);
    char *t = report(1, other);
    gk_resp r = gk_h_call(h, "POST", "/api/v1/check", tok_sub, t, NULL);
    free(t);
    ck_assert_msg(r.status == 200, "%d %s", r.status, r.body);
    bool found = strstr(r.body, "narrative.foreign_entity") != NULL && strstr(r.body, township) != NULL;
    gk_resp_free(&r);
    return found;
}

static bool await_names(const char *township, int timeout_ms)
{
    long end = gk_h_now_ms() + timeout_ms;
    while (gk_h_now_ms() < end) {
        if (check_names(&A, township) && check_names(&B, township))
            return true;
        gk_h_nap_ms(50);
    }
    return false;
}

static void import_township(const char *code, const char *name)
{
    char path[256];
    snprintf(path, sizeof path, "%s/extra-%s.csv", A.dir, code);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fprintf(f, "code,name,parent_code\n35,福建省,\n3504,三明市,35\n350421,明溪县,3504\n%s,%s,350421\n", code,
            name);
    fclose(f);
    const char *args[] = {"regions", "import", path, NULL};
    ck_assert_int_eq(gk_h_cli(&A, NULL, 0, args), 0);
}

static long listeners(void)
{
    return gk_h_sql_long(&A, "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'gongkaid listener'", 0,
                         NULL);
}

START_TEST(names_follow_registry)
{
    /* Both listeners are up (they connect after the pool: poll). */
    long end = gk_h_now_ms() + 20000;
    while (listeners() != 2 && gk_h_now_ms() < end)
        gk_h_nap_ms(20);
    ck_assert_int_eq(listeners(), 2);
    ck_assert(!check_names(&A, "瀚海测试镇"));
    ck_assert(!check_names(&B, "瀚海测试镇"));
    import_township("350421991", "瀚海测试镇"); /* a third process */
    ck_assert_msg(await_names("瀚海测试镇", 10000), "names not reloaded after a registry change");
}
END_TEST

/* gongkai_answer_cache_total{result="<result>"} of h's /metrics. */
static long cache_count(gk_h *h, const char *result)
{
    char series[96];
    snprintf(series, sizeof series, "gongkai_answer_cache_total{result=\"%s\"}", result);
    return metric(h, series);
}

START_TEST(names_after_listener_gap)
{
    const char *rollup = "/api/v1/regions/" CITY "/rollup?year=2020";
    ck_assert(!check_names(&A, "沧浪测试镇"));
    /* Cut both LISTEN connections; they come back only after 5 s. */
    long killed = gk_h_sql_long(&A,
                                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                                " WHERE application_name = 'gongkaid listener'",
                                0, NULL);
    ck_assert_int_eq(killed, 2);
    long end = gk_h_now_ms() + 10000;
    while (listeners() != 0 && gk_h_now_ms() < end)
        gk_h_nap_ms(20);
    ck_assert_int_eq(listeners(), 0);
    /* The change falls into the gap: its notification reaches no one. */
    import_township("350421992", "沧浪测试镇");
    ck_assert_msg(listeners() == 0, "a listener came back before the change: the gap was not tested");
    /* Serving goes on meanwhile (the pool is untouched); B's answer cache
     * keeps the rollup under its current tag: the second read is a hit. */
    json_decref(get_json(&B, rollup, NULL, 0));
    long hits = cache_count(&B, "hit");
    json_decref(get_json(&B, rollup, NULL, 0));
    ck_assert_int_eq(cache_count(&B, "hit"), hits + 1);
    /* After reconnecting, each daemon treats everything as stale: the names
     * are reloaded and the answer cache starts empty (same tag, yet a miss). */
    ck_assert_msg(await_names("沧浪测试镇", 30000), "names stale after a listener gap");
    /* (judgements check the registry generation in their own transaction,
     * so the names may be fresh before the listeners are back: wait) */
    end = gk_h_now_ms() + 30000;
    while (listeners() != 2 && gk_h_now_ms() < end)
        gk_h_nap_ms(20);
    ck_assert_int_eq(listeners(), 2);
    long misses = cache_count(&B, "miss");
    json_decref(get_json(&B, rollup, NULL, 0));
    ck_assert_int_eq(cache_count(&B, "miss"), misses + 1);
}
END_TEST

START_TEST(warm_polls_from_memory)
{
    const char *rollup = "/api/v1/regions/" CITY "/rollup?year=2020";
    char ta[96], tb[96], t[96];
    ck_assert(await_memory_hit(&A, rollup, tok_view, ta, sizeof ta));
    ck_assert(await_memory_hit(&B, rollup, tok_view, tb, sizeof tb));
    ck_assert_str_eq(ta, tb);
    long hb = metric(&B, READ_HITS);
    ck_assert_int_eq(get_status(&B, rollup, tb), 304); /* a 304 from memory too */
    ck_assert_int_eq(metric(&B, READ_HITS), hb + 1);

    /* A's own next poll sees its write at once: strict on the writer. */
    char *rep = report(17, NULL);
    gk_resp r = gk_h_call(&A, "POST", "/api/v1/reports", tok_sub, rep, NULL);
    ck_assert_msg(r.status == 201, "%d %s", r.status, r.body);
    gk_resp_free(&r);
    free(rep);
    json_t *ru = get_json(&A, rollup, t, sizeof t);
    ck_assert_str_ne(t, ta);
    ck_assert_int_eq(rollup_decisions(ru), 17);
    json_decref(ru);
    /* B: once A's announcement arrives (sent right after the commit). */
    char tb2[96];
    long ms = await_new_tag(&B, rollup, tb, tb2, sizeof tb2, AWAIT_MS);
    ck_assert_msg(ms >= 0, "B kept serving the old tag from memory for %d s", AWAIT_MS / 1000);
    ck_assert_str_eq(tb2, t);
    fprintf(stderr, "two_daemons: B saw A's write after %ld ms\n", ms);
}
END_TEST

/* A daemon that commits and dies before announcing leaves nothing behind:
 * the others read the watermark every --read-check-ms (A: the default 100
 * ms; B: an hour).  A change counter moved by hand stands for that commit
 * (no trigger notifies region_changes: 041).  A notices it; B, answering
 * from memory, keeps the old tag until its own watermark — which shows B
 * really asks no database for a warm poll. */
START_TEST(watermark_catches_unannounced_change)
{
    const char *rollup = "/api/v1/regions/" CITY "/rollup?year=2020";
    char ta[96], ta2[96], tb[96], tb2[96];
    ck_assert(await_memory_hit(&A, rollup, tok_view, ta, sizeof ta));
    ck_assert(await_memory_hit(&B, rollup, tok_view, tb, sizeof tb));
    ck_assert_str_eq(ta, tb);
    long n = gk_h_sql_long(&A,
                           "WITH u AS (INSERT INTO region_changes (region, year, shard, counter)"
                           " SELECT a, 2020, 15, 1 FROM unnest(ARRAY['0', '35', '3504', '350481']) a"
                           " ON CONFLICT (region, year, shard) DO UPDATE SET counter = region_changes.counter + 1"
                           " RETURNING 1) SELECT count(*) FROM u",
                           0, NULL);
    ck_assert_int_eq(n, 4);
    long ms = await_new_tag(&A, rollup, ta, ta2, sizeof ta2, AWAIT_MS);
    ck_assert_msg(ms >= 0, "an unannounced change was never noticed");
    fprintf(stderr, "two_daemons: watermark noticed after %ld ms\n", ms);
    json_decref(get_json(&B, rollup, tb2, sizeof tb2));
    ck_assert_str_eq(tb2, tb);
}
END_TEST

/* A token known in memory is refused once revoked (the tokens trigger's
 * notification empties the token table). */
START_TEST(revoked_token_refused_from_memory)
{
    const char *rollup = "/api/v1/regions/" CITY "/rollup?year=2020";
    char tok[260];
    const char *mk[] = {"token", "create", "--region", CITY, "--role", "viewer", NULL};
    char buf[256];
    ck_assert_int_eq(gk_h_cli(&A, buf, sizeof buf, mk), 0);
    buf[strcspn(buf, "\n")] = '\0';
    snprintf(tok, sizeof tok, "%s", buf);
    char etag[96];
    ck_assert(await_memory_hit(&B, rollup, tok, etag, sizeof etag));
    gk_resp r;
    char id[32];
    snprintf(id, sizeof id, "%ld", gk_h_sql_long(&A, "SELECT max(id) FROM tokens", 0, NULL));
    const char *rv[] = {"token", "revoke", id, NULL};
    ck_assert_int_eq(gk_h_cli(&A, NULL, 0, rv), 0);
    long t0 = gk_h_now_ms();
    int st = 200;
    while (st == 200 && gk_h_now_ms() - t0 < AWAIT_MS) {
        r = gk_h_call(&B, "GET", rollup, tok, NULL, NULL);
        st = r.status;
        gk_resp_free(&r);
        if (st == 200)
            gk_h_nap_ms(2);
    }
    ck_assert_int_eq(st, 401);
    fprintf(stderr, "two_daemons: revocation effective on B after %ld ms\n", gk_h_now_ms() - t0);
}
END_TEST

/* B runs as under systemd: stderr is "the journal stream" (JOURNAL_STREAM
 * names its log file), so its lines carry a syslog priority and no
 * timestamp of their own; A's keep their timestamps. */
START_TEST(journald_lines)
{
    char *la = gk_h_read_file(A.daemon_log, NULL), *lb = gk_h_read_file(B.daemon_log, NULL);
    ck_assert_ptr_nonnull(la);
    ck_assert_ptr_nonnull(lb);
    ck_assert_ptr_nonnull(strstr(lb, "\n<6>info listener: listening on gk_changes\n"));
    ck_assert_ptr_nonnull(strstr(lb, "\n<6>http rid="));
    ck_assert_ptr_nonnull(strstr(lb, "\n<4>warn postgresql: "));  /* the listener's loss */
    ck_assert_ptr_null(strstr(lb, "Z info "));
    ck_assert_ptr_nonnull(strstr(la, "Z info listener: listening on gk_changes\n"));
    ck_assert_ptr_null(strstr(la, "<6>"));
    free(la);
    free(lb);
}
END_TEST

static int make_token(char *out, size_t len, const char *region, const char *role)
{
    char buf[256];
    const char *args[] = {"token", "create", "--region", region, "--role", role, NULL};
    if (gk_h_cli(&A, buf, sizeof buf, args) != 0)
        return -1;
    buf[strcspn(buf, "\n")] = '\0';
    snprintf(out, len, "%s", buf);
    return strncmp(buf, "gk_", 3) == 0 ? 0 : -1;
}

static void dump_log(const char *what, const char *path)
{
    char *log = gk_h_read_file(path, NULL);
    fprintf(stderr, "---- %s ----\n%s\n", what, log ? log : "(none)");
    free(log);
}

int main(void)
{
    sample_text = gk_h_read_file(GK_TEST_DATA "/sample-350481101-2020.json", NULL);
    const char *imp[] = {"regions", "import", GK_FIXTURES "/regions.csv", NULL};
    const char *extra[] = {"--reconnect-min-ms=5000", "--reconnect-max-ms=5000", NULL};
    int failed = 1;
    if (sample_text == NULL || gk_h_setup(&A) != 0 || gk_h_cli(&A, NULL, 0, imp) != 0 ||
        make_token(tok_sub, sizeof tok_sub, TOWN, "submitter") != 0 ||
        make_token(tok_view, sizeof tok_view, "35", "viewer") != 0 || gk_h_daemon_start(&A, extra) != 0) {
        fprintf(stderr, "setup failed\n");
        goto out;
    }
    /* The second daemon: same database, its own port, pid and log. */
    B = A;
    B.d_pid = 0;
    B.sql = NULL;
    snprintf(B.daemon_log, sizeof B.daemon_log, "%s/gongkaid-b.log", A.dir);
    FILE *lf = fopen(B.daemon_log, "a");
    struct stat lst;
    if (lf == NULL || fclose(lf) != 0 || stat(B.daemon_log, &lst) != 0) {
        fprintf(stderr, "cannot create %s\n", B.daemon_log);
        goto out;
    }
    char js[64];
    snprintf(js, sizeof js, "%llu:%llu", (unsigned long long)lst.st_dev, (unsigned long long)lst.st_ino);
    setenv("JOURNAL_STREAM", js, 1);
    /* B checks its watermark only every hour: whatever B sees of A's
     * writes within the tests' deadlines came by notification. */
    const char *extra_b[] = {"--reconnect-min-ms=5000", "--reconnect-max-ms=5000", "--read-check-ms=3600000", NULL};
    int bs = gk_h_daemon_start(&B, extra_b);
    unsetenv("JOURNAL_STREAM");
    if (bs != 0) {
        fprintf(stderr, "setup of the second daemon failed\n");
        goto out;
    }
    Suite *s = suite_create("two_daemons");
    TCase *tc = tcase_create("two_daemons");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, read_after_write);
    tcase_add_test(tc, notifications_at_commit);
    tcase_add_test(tc, registry_change_moves_tags);
    tcase_add_test(tc, names_follow_registry);
    tcase_add_test(tc, names_after_listener_gap);
    tcase_add_test(tc, warm_polls_from_memory);
    tcase_add_test(tc, watermark_catches_unannounced_change);
    tcase_add_test(tc, revoked_token_refused_from_memory);
    tcase_add_test(tc, journald_lines);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_set_fork_status(sr, CK_NOFORK);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    int sa = -1, sb = -1;
    gk_h_daemon_stop(&B, &sb);
    gk_h_daemon_stop(&A, &sa);
    if (sa != 0 || sb != 0) {
        fprintf(stderr, "gongkaid exited with %d / %d\n", sa, sb);
        failed++;
    }
out:
    if (failed > 0 || getenv("GK_SHOW_LOG") != NULL) {
        dump_log("gongkaid A", A.daemon_log);
        dump_log("gongkaid B", B.daemon_log);
    }
    gk_h_daemon_stop(&B, NULL);
    gk_h_teardown(&A);
    free(sample_text);
    return failed == 0 ? 0 : 1;
}
