/* test_changes.c — the change feed (issue 18 item 2): GET /api/v1/changes
 * against a real PostgreSQL and two real daemons on one database.
 *
 * What must hold: a reader resuming from its cursors — pages from either
 * daemon, a restart of one in the middle — sees every change exactly once
 * and in commit order, also a change whose transaction began before a
 * later one committed (the trap of a plain serial: sql/110_change_feed.sql);
 * Server-Sent Events are pushed as they commit, resume from Last-Event-ID,
 * carry heartbeats and are bounded in number; tokens see only their scope;
 * bad cursors and limits get a JSON 400. */
#include <check.h>
#include <jansson.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "harness.h"

static gk_h A, B; /* B: a second daemon on A's database */
static char tok_admin[260], tok_city_sub[260], tok_city_view[260], tok_town_view[260], tok_other_view[260];
static char *sample_text;

#define CITY "350481"
#define TOWN "350481101"
#define TOWN2 "350481102"
#define OTHER_COUNTY "350421"

/* ---- reports ---- */

static long serial;

/* The sample as `entity`'s report of 2020 with a cell made unique, so each
 * call is a new revision; malloc'd. */
static char *report_for(const char *entity)
{
    json_t *d = json_loads(sample_text, 0, NULL);
    ck_assert_ptr_nonnull(d);
    json_object_set_new(d, "entity", json_string(entity));
    json_t *row = json_object_get(json_object_get(json_object_get(d, "tables"), "active"), "penalties");
    ck_assert_ptr_nonnull(row);
    json_object_set_new(row, "decisions", json_integer(100 + ++serial));
    char *s = json_dumps(d, JSON_COMPACT);
    json_decref(d);
    return s;
}

static void submit(gk_h *h, const char *entity)
{
    char *t = report_for(entity);
    gk_resp r = gk_h_call(h, "POST", "/api/v1/reports", tok_city_sub, t, NULL);
    ck_assert_msg(r.status == 201, "submit %s: %d %s", entity, r.status, r.body);
    gk_resp_free(&r);
    free(t);
}

/* ---- pages ---- */

static json_t *page(gk_h *h, const char *token, const char *query)
{
    char path[512];
    snprintf(path, sizeof path, "/api/v1/changes%s", query);
    gk_resp r = gk_h_call(h, "GET", path, token, NULL, NULL);
    ck_assert_msg(r.status == 200, "%s: %d %s", path, r.status, r.body);
    json_t *j = json_loads(r.body, 0, NULL);
    ck_assert_msg(j != NULL && json_is_array(json_object_get(j, "changes")) &&
                      json_is_string(json_object_get(j, "next")) && json_is_boolean(json_object_get(j, "more")),
                  "%s: %s", path, r.body);
    gk_resp_free(&r);
    return j;
}

/* Reads from *cursor until `more` is false, appending every change to
 * seen and moving *cursor; h alternates with `alt` page by page when set. */
static void drain(gk_h *h, gk_h *alt, const char *token, const char *extra, int limit, char *cursor, size_t clen,
                  json_t *seen)
{
    for (int i = 0; i < 10000; i++) {
        char q[400];
        snprintf(q, sizeof q, "?since=%s&limit=%d%s", cursor, limit, extra != NULL ? extra : "");
        json_t *p = page(alt != NULL && i % 2 == 1 ? alt : h, token, q);
        json_array_extend(seen, json_object_get(p, "changes"));
        ck_assert_int_le((int)json_array_size(json_object_get(p, "changes")), limit);
        snprintf(cursor, clen, "%s", json_string_value(json_object_get(p, "next")));
        bool more = json_is_true(json_object_get(p, "more"));
        json_decref(p);
        if (!more)
            return;
    }
    ck_abort_msg("the feed never ended");
}

/* The log as the database holds it, in (xid, seq) order, as "kind entity
 * year revision" lines; only rows of committed transactions exist. */
static char *log_lines(const char *where)
{
    char sql[512];
    snprintf(sql, sizeof sql,
             "SELECT coalesce(string_agg(kind || ' ' || entity || ' ' || coalesce(year::text, '-') || ' ' ||"
             " coalesce(revision::text, '-'), E'\\n' ORDER BY xid, seq), '') FROM change_log l %s",
             where);
    char *v = gk_h_sql1(&A, sql, 0, NULL);
    ck_assert_ptr_nonnull(v);
    return v;
}

static char *seen_lines(json_t *seen)
{
    size_t cap = 64 + json_array_size(seen) * 64, n = 0;
    char *out = malloc(cap);
    ck_assert_ptr_nonnull(out);
    out[0] = '\0';
    size_t i;
    json_t *c;
    json_array_foreach(seen, i, c) {
        char year[16] = "-", rev[16] = "-";
        if (json_is_integer(json_object_get(c, "year")))
            snprintf(year, sizeof year, "%lld", (long long)json_integer_value(json_object_get(c, "year")));
        if (json_is_integer(json_object_get(c, "revision")))
            snprintf(rev, sizeof rev, "%lld", (long long)json_integer_value(json_object_get(c, "revision")));
        n += (size_t)snprintf(out + n, cap - n, "%s%s %s %s %s", i > 0 ? "\n" : "",
                              json_string_value(json_object_get(c, "kind")),
                              json_string_value(json_object_get(c, "entity")), year, rev);
    }
    return out;
}

/* Every cursor strictly increasing (as the daemon's order): no repeats. */
static void assert_unique_cursors(json_t *seen)
{
    size_t i;
    json_t *c;
    json_array_foreach(seen, i, c) {
        ck_assert_ptr_nonnull(json_string_value(json_object_get(c, "cursor")));
        for (size_t k = 0; k < i; k++)
            ck_assert_str_ne(json_string_value(json_object_get(json_array_get(seen, k), "cursor")),
                             json_string_value(json_object_get(c, "cursor")));
    }
}

/* Drains until what was seen is the log (after `where`): a change is
 * listed once every transaction older than it has ended, and a daemon's
 * own short transactions (its announcements: NOTIFY takes a transaction
 * id) may still be open for a moment when a page is read. */
static void drain_to_log(gk_h *h, gk_h *alt, int limit, char *cursor, size_t clen, json_t *seen, const char *where)
{
    long end = gk_h_now_ms() + 10000;
    for (;;) {
        drain(h, alt, tok_admin, NULL, limit, cursor, clen, seen);
        char *got = seen_lines(seen), *want = log_lines(where);
        bool same = strcmp(got, want) == 0;
        if (same || gk_h_now_ms() > end)
            ck_assert_str_eq(got, want);
        free(got);
        free(want);
        if (same)
            return;
        gk_h_nap_ms(20);
    }
}

static int cli(const char *const *args)
{
    return gk_h_cli(&A, NULL, 0, args);
}

START_TEST(exactly_once_in_order_across_daemons_and_restart)
{
    json_t *seen = json_array();
    char cursor[64] = "0-0";
    drain(&A, NULL, tok_admin, NULL, 1000, cursor, sizeof cursor, seen);
    size_t base = json_array_size(seen);
    /* The registry imported again rewrites every row and changes nothing:
     * no change.  A rename (and back) is two. */
    const char *imp[] = {"regions", "import", GK_FIXTURES "/regions.csv", NULL};
    ck_assert_int_eq(cli(imp), 0);
    free(gk_h_sql1(&A, "UPDATE regions SET name = '青水乡' WHERE code = '350481204'", 0, NULL));
    free(gk_h_sql1(&A, "UPDATE regions SET name = '青水畲族乡' WHERE code = '350481204'", 0, NULL));

    /* Submissions through both daemons, read page by page (limit 2)
     * alternately from A and B as they come. */
    const char *entities[] = {TOWN, TOWN2, "350481103", TOWN};
    for (int round = 0; round < 3; round++) {
        for (size_t k = 0; k < sizeof entities / sizeof entities[0]; k++) {
            submit(k % 2 == 0 ? &A : &B, entities[k]);
            if (k % 2 == 1)
                drain(&B, &A, tok_admin, NULL, 2, cursor, sizeof cursor, seen);
        }
        if (round == 1) {
            /* A restart in the middle: A goes, B takes submissions and a
             * deadline change (re-judging), A comes back on a new port. */
            ck_assert_int_eq(gk_h_daemon_stop(&A, NULL), 0);
            submit(&B, "350481104");
            const char *dl[] = {"deadline", "set", CITY, "2020", "2021-01-15", NULL};
            ck_assert_int_eq(cli(dl), 0);
            drain(&B, NULL, tok_admin, NULL, 3, cursor, sizeof cursor, seen);
            submit(&B, "350481105");
            ck_assert_int_eq(gk_h_daemon_start(&A, NULL), 0);
        }
    }
    const char *undl[] = {"deadline", "unset", CITY, "2020", NULL};
    ck_assert_int_eq(cli(undl), 0);
    /* Exactly the log, once each, in order. */
    drain_to_log(&A, &B, 5, cursor, sizeof cursor, seen, "");
    assert_unique_cursors(seen);
    /* every revision stored is a change: 3 rounds × 4 + 2 while A was down */
    long revisions = gk_h_sql_long(&A, "SELECT count(*) FROM reports", 0, NULL);
    size_t nrev = 0, njudge = 0, ndead = 0, nregion = 0;
    size_t i;
    json_t *c;
    json_array_foreach(seen, i, c) {
        const char *k = json_string_value(json_object_get(c, "kind"));
        nrev += strcmp(k, "revision") == 0;
        njudge += strcmp(k, "judgement") == 0;
        ndead += strcmp(k, "deadline") == 0;
        nregion += i >= base && strcmp(k, "region") == 0;
        ck_assert_ptr_nonnull(json_string_value(json_object_get(c, "at")));
    }
    ck_assert_int_eq((long)nrev, revisions);
    ck_assert_int_eq((int)(json_array_size(seen) - base) >= 14, 1);
    ck_assert_int_eq((int)ndead, 2);     /* set and unset */
    ck_assert_int_eq((int)nregion, 2);   /* the rename and back; the import again: none */
    ck_assert_int_eq((int)base, (int)gk_h_sql_long(&A, "SELECT count(*) FROM regions WHERE code <> '0'", 0, NULL));
    ck_assert_int_ge((int)njudge, 1);    /* the early deadline made reports late */

    /* Nothing more, from either daemon. */
    char q[128];
    snprintf(q, sizeof q, "?since=%s", cursor);
    json_t *p = page(&B, tok_admin, q);
    ck_assert_int_eq((int)json_array_size(json_object_get(p, "changes")), 0);
    json_decref(p);
    /* A page has an ETag, and a page of the past never changes: 304.  (A
     * page at the end may: its `next` follows the database's xmin.) */
    char url[160], etag[96], inm[128];
    snprintf(url, sizeof url, "/api/v1/changes?since=0-0&limit=3");
    gk_resp r = gk_h_call(&A, "GET", url, tok_admin, NULL, NULL);
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_nonnull(gk_resp_header(&r, "ETag", etag, sizeof etag));
    gk_resp_free(&r);
    snprintf(inm, sizeof inm, "If-None-Match: %s", etag);
    r = gk_h_call(&A, "GET", url, tok_admin, NULL, inm);
    ck_assert_int_eq(r.status, 304);
    gk_resp_free(&r);
    json_decref(seen);
}
END_TEST

/* A transaction that wrote a change and is still open holds every later
 * commit back: nothing may be handed out past it, or it would be skipped
 * for ever once it commits with its smaller sequence number. */
START_TEST(open_transaction_holds_later_commits_back)
{
    json_t *seen = json_array();
    char cursor[64] = "now";
    json_t *p = page(&A, tok_admin, "?since=now");
    snprintf(cursor, sizeof cursor, "%s", json_string_value(json_object_get(p, "next")));
    json_decref(p);
    char start[64];
    snprintf(start, sizeof start, "%s", cursor);

    PGconn *x = PQconnectdb(A.conninfo);
    ck_assert_int_eq(PQstatus(x), CONNECTION_OK);
    PQclear(PQexec(x, "BEGIN"));
    PGresult *res = PQexec(x, "INSERT INTO deadlines (region, year, date) VALUES ('" OTHER_COUNTY "', 2020, '2021-01-20')");
    ck_assert_int_eq(PQresultStatus(res), PGRES_COMMAND_OK);
    PQclear(res);
    submit(&B, TOWN2); /* commits after the open transaction took its xid */
    drain(&A, &B, tok_admin, NULL, 10, cursor, sizeof cursor, seen);
    ck_assert_int_eq((int)json_array_size(seen), 0);
    res = PQexec(x, "COMMIT");
    ck_assert_int_eq(PQresultStatus(res), PGRES_COMMAND_OK);
    PQclear(res);
    PQfinish(x);
    /* the open transaction's change first, then the submission's (and the
     * re-judgements it caused), exactly as the log has them */
    char where[160], *sep = strchr(start, '-');
    ck_assert_ptr_nonnull(sep);
    snprintf(where, sizeof where, "WHERE (xid, seq) > ('%.*s'::xid8, %s)", (int)(sep - start), start, sep + 1);
    drain_to_log(&A, &B, 10, cursor, sizeof cursor, seen, where);
    char *got = seen_lines(seen);
    ck_assert_msg(strncmp(got, "deadline " OTHER_COUNTY " 2020 -\nrevision " TOWN2 " 2020 ", 47) == 0, "%s", got);
    free(got);
    json_decref(seen);
}
END_TEST

/* ---- Server-Sent Events: a small client over a raw socket ---- */

typedef struct sse {
    int fd;
    int status;
    char *raw;          /* bytes as received, after the header */
    size_t rlen;
    char *txt;          /* the chunked body decoded */
    size_t tlen, tpos;
    char head[4096];
    bool closed;
} sse;

static void sse_pump(sse *s, int ms)
{
    struct pollfd p = {.fd = s->fd, .events = POLLIN};
    if (s->closed || poll(&p, 1, ms) <= 0)
        return;
    char buf[8192];
    ssize_t n = recv(s->fd, buf, sizeof buf, 0);
    if (n <= 0) {
        s->closed = true;
        return;
    }
    s->raw = realloc(s->raw, s->rlen + (size_t)n + 1);
    memcpy(s->raw + s->rlen, buf, (size_t)n);
    s->rlen += (size_t)n;
    s->raw[s->rlen] = '\0';
    /* decode whole chunks */
    for (;;) {
        char *crlf = strstr(s->raw, "\r\n");
        if (crlf == NULL)
            break;
        size_t size = strtoul(s->raw, NULL, 16);
        size_t need = (size_t)(crlf - s->raw) + 2 + size + 2;
        if (s->rlen < need)
            break;
        s->txt = realloc(s->txt, s->tlen + size + 1);
        memcpy(s->txt + s->tlen, crlf + 2, size);
        s->tlen += size;
        s->txt[s->tlen] = '\0';
        memmove(s->raw, s->raw + need, s->rlen - need + 1);
        s->rlen -= need;
        if (size == 0) {
            s->closed = true;
            break;
        }
    }
}

/* Connects and sends the request; reads the header (status into s). */
static void sse_open(sse *s, gk_h *h, const char *query, const char *token, const char *last_id)
{
    memset(s, 0, sizeof *s);
    s->fd = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_ge(s->fd, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)h->port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    ck_assert_int_eq(connect(s->fd, (struct sockaddr *)&a, sizeof a), 0);
    char req[1024], lid[128] = "";
    if (last_id != NULL)
        snprintf(lid, sizeof lid, "Last-Event-ID: %s\r\n", last_id);
    int n = snprintf(req, sizeof req,
                     "GET /api/v1/changes%s HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
                     "Authorization: Bearer %s\r\n%s\r\n",
                     query, token, lid);
    ck_assert_int_eq((int)send(s->fd, req, (size_t)n, MSG_NOSIGNAL), n);
    size_t hl = 0;
    long end = gk_h_now_ms() + 10000;
    while (gk_h_now_ms() < end) {
        struct pollfd p = {.fd = s->fd, .events = POLLIN};
        if (poll(&p, 1, 100) <= 0)
            continue;
        ssize_t r = recv(s->fd, s->head + hl, 1, 0); /* byte by byte: the body stays in the socket */
        ck_assert_int_gt((int)r, 0);
        hl++;
        s->head[hl] = '\0';
        if (hl >= 4 && strcmp(s->head + hl - 4, "\r\n\r\n") == 0)
            break;
        ck_assert_int_lt((int)hl, (int)sizeof s->head - 1);
    }
    ck_assert_msg(sscanf(s->head, "HTTP/1.1 %d", &s->status) == 1, "no answer: %s", s->head);
}

static void sse_close(sse *s)
{
    if (s->fd >= 0)
        close(s->fd);
    s->fd = -1;
    free(s->raw);
    free(s->txt);
    s->raw = s->txt = NULL;
}

/* The next block ("id: …\nevent: …\ndata: …" or a comment) within ms, as
 * a malloc'd string without its blank line; NULL at the deadline or end. */
static char *sse_block(sse *s, int ms)
{
    long end = gk_h_now_ms() + ms;
    for (;;) {
        char *b = s->txt != NULL ? strstr(s->txt + s->tpos, "\n\n") : NULL;
        if (b != NULL) {
            char *out = strndup(s->txt + s->tpos, (size_t)(b - (s->txt + s->tpos)));
            s->tpos = (size_t)(b - s->txt) + 2;
            return out;
        }
        if (s->closed || gk_h_now_ms() >= end)
            return NULL;
        sse_pump(s, 50);
    }
}

/* The next change event (comments and id-only blocks skipped): its data
 * parsed, its id into id. */
static json_t *sse_change(sse *s, int ms, char *id, size_t idlen)
{
    long end = gk_h_now_ms() + ms;
    while (gk_h_now_ms() < end) {
        char *b = sse_block(s, (int)(end - gk_h_now_ms()));
        if (b == NULL)
            return NULL;
        char *data = strstr(b, "data: ");
        if (data == NULL || strstr(b, "event: change\n") == NULL) {
            free(b);
            continue;
        }
        char *idl = strstr(b, "id: ");
        ck_assert_ptr_nonnull(idl);
        snprintf(id, idlen, "%.*s", (int)strcspn(idl + 4, "\n"), idl + 4);
        json_t *j = json_loads(data + 6, 0, NULL);
        ck_assert_msg(j != NULL, "bad data: %s", b);
        ck_assert_str_eq(json_string_value(json_object_get(j, "cursor")), id);
        free(b);
        return j;
    }
    return NULL;
}

/* The next revision event: re-judgements (the test reports share their
 * prose, so each makes the others narrative.similar) are passed over. */
static json_t *sse_revision(sse *s, int ms, char *id, size_t idlen)
{
    long end = gk_h_now_ms() + ms;
    while (gk_h_now_ms() < end) {
        json_t *c = sse_change(s, (int)(end - gk_h_now_ms()), id, idlen);
        if (c == NULL || strcmp(json_string_value(json_object_get(c, "kind")), "revision") == 0)
            return c;
        const char *kind = json_string_value(json_object_get(c, "kind"));
        ck_assert_msg(strcmp(kind, "judgement") == 0 || strcmp(kind, "review") == 0, "%s", kind);
        json_decref(c);
    }
    return NULL;
}

static void expect_revision(json_t *c, const char *entity)
{
    ck_assert_msg(c != NULL, "no event for %s", entity);
    ck_assert_str_eq(json_string_value(json_object_get(c, "kind")), "revision");
    ck_assert_str_eq(json_string_value(json_object_get(c, "entity")), entity);
    json_decref(c);
}

START_TEST(sse_pushes_and_resumes)
{
    sse s;
    sse_open(&s, &B, "?since=now", tok_city_view, NULL);
    ck_assert_msg(s.status == 200, "%s", s.head);
    ck_assert_ptr_nonnull(strcasestr(s.head, "Content-Type: text/event-stream"));
    char *first = sse_block(&s, 5000);
    ck_assert_ptr_nonnull(first);
    ck_assert_ptr_nonnull(strstr(first, "retry: "));
    free(first);
    /* A commits; B's stream is woken by A's announcement (or its poll). */
    char id[64];
    long t0 = gk_h_now_ms();
    submit(&A, TOWN);
    long submitted_ms = gk_h_now_ms() - t0;
    expect_revision(sse_revision(&s, 10000, id, sizeof id), TOWN);
    long pushed_ms = gk_h_now_ms() - t0;
    submit(&B, TOWN2);
    expect_revision(sse_revision(&s, 10000, id, sizeof id), TOWN2);
    /* Heartbeats: B was started with --changes-heartbeat-ms=300. */
    char *hb = NULL;
    for (int i = 0; i < 20 && hb == NULL; i++) {
        char *b = sse_block(&s, 2000);
        ck_assert_ptr_nonnull(b);
        if (strstr(b, ": heartbeat") != NULL)
            hb = b;
        else
            free(b);
    }
    ck_assert_ptr_nonnull(hb);
    free(hb);
    sse_close(&s);

    /* While nobody listens: two submissions; the client comes back to A
     * with its Last-Event-ID and gets exactly those, in order. */
    submit(&B, "350481103");
    submit(&A, TOWN);
    sse_open(&s, &A, "?since=0-0", tok_city_view, id);
    ck_assert_int_eq(s.status, 200);
    expect_revision(sse_revision(&s, 10000, id, sizeof id), "350481103");
    expect_revision(sse_revision(&s, 10000, id, sizeof id), TOWN);
    json_t *none = sse_revision(&s, 1500, id, sizeof id);
    ck_assert_msg(none == NULL, "an event too many");
    sse_close(&s);
    fprintf(stderr, "changes: an event pushed %ld ms after its submission was sent (the submission's answer took %ld ms)\n",
            pushed_ms, submitted_ms);
}
END_TEST

/* A's stream ends when A stops; the client resumes on the new A. */
START_TEST(sse_across_restart)
{
    sse s;
    char id[64];
    sse_open(&s, &A, "?since=now", tok_admin, NULL);
    ck_assert_int_eq(s.status, 200);
    submit(&A, TOWN2);
    expect_revision(sse_revision(&s, 10000, id, sizeof id), TOWN2);
    ck_assert_int_eq(gk_h_daemon_stop(&A, NULL), 0);
    for (long end = gk_h_now_ms() + 5000; !s.closed && gk_h_now_ms() < end;)
        sse_pump(&s, 50);
    ck_assert_msg(s.closed, "the stream outlived its daemon");
    sse_close(&s);
    submit(&B, "350481104");
    ck_assert_int_eq(gk_h_daemon_start(&A, NULL), 0);
    sse_open(&s, &A, "", tok_admin, id);
    ck_assert_int_eq(s.status, 200);
    expect_revision(sse_revision(&s, 10000, id, sizeof id), "350481104");
    sse_close(&s);
}
END_TEST

/* B allows two streams at once (--changes-max-streams=2). */
START_TEST(sse_bounded)
{
    sse s1, s2, s3;
    /* streams of the tests before may take a moment to be seen closed */
    for (long end = gk_h_now_ms() + 5000;;) {
        sse_open(&s1, &B, "?since=now", tok_admin, NULL);
        if (s1.status == 200 || gk_h_now_ms() > end)
            break;
        sse_close(&s1);
        gk_h_nap_ms(50);
    }
    ck_assert_int_eq(s1.status, 200);
    sse_open(&s2, &B, "?since=now", tok_admin, NULL);
    ck_assert_int_eq(s2.status, 200);
    sse_open(&s3, &B, "?since=now", tok_admin, NULL);
    ck_assert_int_eq(s3.status, 503);
    ck_assert_ptr_nonnull(strcasestr(s3.head, "Retry-After: "));
    for (long end = gk_h_now_ms() + 5000; !s3.closed && gk_h_now_ms() < end;)
        sse_pump(&s3, 50);
    ck_assert_ptr_nonnull(s3.raw);
    ck_assert_ptr_nonnull(strstr(s3.raw, "\"too_many_streams\""));
    sse_close(&s3);
    /* One leaves: a new one is let in (the close is seen at once). */
    sse_close(&s1);
    bool in = false;
    for (long end = gk_h_now_ms() + 5000; !in && gk_h_now_ms() < end;) {
        sse_open(&s3, &B, "?since=now", tok_admin, NULL);
        in = s3.status == 200;
        sse_close(&s3);
        if (!in)
            gk_h_nap_ms(50);
    }
    ck_assert(in);
    /* a plain page is never refused for that */
    json_decref(page(&B, tok_admin, "?since=now"));
    sse_close(&s2);
}
END_TEST

/* A review is a change too; a stream whose token is revoked ends. */
START_TEST(review_change_and_revoked_token)
{
    char tok[260], id[64];
    ck_assert_int_eq(gk_h_token(&A, CITY, "viewer", tok, sizeof tok), 0);
    sse s;
    sse_open(&s, &A, "?since=now", tok, NULL);
    ck_assert_int_eq(s.status, 200);
    gk_resp r = gk_h_call(&B, "POST", "/api/v1/reports/" TOWN2 "/2020/review", tok,
                          "{\"action\":\"return\",\"comment\":\"请核实表三\"}", NULL);
    ck_assert_msg(r.status == 200, "%d %s", r.status, r.body);
    gk_resp_free(&r);
    json_t *c = sse_change(&s, 10000, id, sizeof id);
    ck_assert_ptr_nonnull(c);
    ck_assert_str_eq(json_string_value(json_object_get(c, "kind")), "review");
    ck_assert_str_eq(json_string_value(json_object_get(c, "entity")), TOWN2);
    ck_assert(json_is_integer(json_object_get(c, "revision")));
    json_decref(c);
    char *tid = gk_h_sql1(&A, "SELECT max(id)::text FROM tokens", 0, NULL);
    ck_assert_ptr_nonnull(tid);
    const char *rv[] = {"token", "revoke", tid, NULL};
    ck_assert_int_eq(cli(rv), 0);
    free(tid);
    for (long end = gk_h_now_ms() + 10000; !s.closed && gk_h_now_ms() < end;)
        sse_pump(&s, 50);
    ck_assert_msg(s.closed, "the stream outlived its token");
    sse_close(&s);
}
END_TEST

START_TEST(scope)
{
    char cursor[64];
    json_t *p = page(&A, tok_admin, "?since=now");
    snprintf(cursor, sizeof cursor, "%s", json_string_value(json_object_get(p, "next")));
    json_decref(p);
    submit(&A, TOWN);
    submit(&A, TOWN2);
    const char *dl[] = {"deadline", "set", CITY, "2021", "2022-01-20", NULL};
    ck_assert_int_eq(cli(dl), 0);
    const char *dl2[] = {"deadline", "set", TOWN2, "2021", "2022-01-25", NULL};
    ck_assert_int_eq(cli(dl2), 0);

    struct {
        const char *token, *extra, *want;
    } cases[] = {
        /* the township sees itself and the deadline it inherits */
        {tok_town_view, "", "revision " TOWN " 2020 -\ndeadline " CITY " 2021 -"},
        /* `region` narrows the city's view to a township, with the same rule */
        {tok_city_view, "&region=" TOWN2, "revision " TOWN2 " 2020 -\ndeadline " CITY " 2021 -\ndeadline " TOWN2 " 2021 -"},
        {tok_city_view, "", "revision " TOWN " 2020 -\nrevision " TOWN2 " 2020 -\ndeadline " CITY " 2021 -\ndeadline " TOWN2 " 2021 -"},
        {tok_other_view, "", ""},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        json_t *seen = json_array();
        char c[64];
        snprintf(c, sizeof c, "%s", cursor);
        long end = gk_h_now_ms() + 10000;
    again:
        drain(&A, &B, cases[k].token, cases[k].extra, 1, c, sizeof c, seen);
        /* Revision numbers vary with the tests before, re-judgements with
         * the prose the reports share, review changes (a returned report
         * resubmitted) with the test before: compare without them, but
         * they must be in scope too. */
        json_t *kept = json_array();
        size_t i;
        json_t *e;
        json_array_foreach(seen, i, e) {
            const char *kind = json_string_value(json_object_get(e, "kind"));
            if (strcmp(kind, "judgement") == 0 || strcmp(kind, "review") == 0) {
                ck_assert_ptr_nonnull(strstr(cases[k].want, json_string_value(json_object_get(e, "entity"))));
                continue;
            }
            json_object_set_new(e, "revision", json_null());
            json_array_append(kept, e);
        }
        char *got = seen_lines(kept);
        json_decref(kept);
        /* fewer than expected: maybe held back a moment (see drain_to_log) */
        if (strcmp(got, cases[k].want) != 0 && strlen(got) < strlen(cases[k].want) && gk_h_now_ms() < end) {
            free(got);
            gk_h_nap_ms(20);
            goto again;
        }
        ck_assert_msg(strcmp(got, cases[k].want) == 0, "case %zu: got\n%s\nwant\n%s", k, got, cases[k].want);
        free(got);
        json_decref(seen);
    }
    /* region outside the token's scope, unknown, malformed */
    gk_resp r = gk_h_call(&A, "GET", "/api/v1/changes?region=" TOWN2, tok_town_view, NULL, NULL);
    ck_assert_int_eq(r.status, 403);
    ck_assert_ptr_nonnull(strstr(r.body, "\"forbidden\""));
    gk_resp_free(&r);
    r = gk_h_call(&A, "GET", "/api/v1/changes?region=" CITY, tok_other_view, NULL, NULL);
    ck_assert_int_eq(r.status, 403);
    gk_resp_free(&r);
    r = gk_h_call(&A, "GET", "/api/v1/changes?region=990000", tok_admin, NULL, NULL);
    ck_assert_int_eq(r.status, 404);
    ck_assert_ptr_nonnull(strstr(r.body, "\"not_found\""));
    gk_resp_free(&r);
    r = gk_h_call(&A, "GET", "/api/v1/changes?region=35%27", tok_admin, NULL, NULL);
    ck_assert_int_eq(r.status, 404);
    gk_resp_free(&r);
    r = gk_h_call(&A, "GET", "/api/v1/changes", NULL, NULL, NULL);
    ck_assert_int_eq(r.status, 401);
    gk_resp_free(&r);

    /* The township's stream shows its own changes only. */
    sse s;
    char id[64];
    sse_open(&s, &B, "?since=now", tok_town_view, NULL);
    ck_assert_int_eq(s.status, 200);
    submit(&A, TOWN2);
    submit(&A, TOWN);
    expect_revision(sse_revision(&s, 10000, id, sizeof id), TOWN);
    sse_close(&s);
    /* a stream for a region out of scope is refused before it starts */
    sse_open(&s, &B, "?region=" TOWN2, tok_town_view, NULL);
    ck_assert_int_eq(s.status, 403);
    sse_close(&s);
    const char *un[] = {"deadline", "unset", CITY, "2021", NULL};
    const char *un2[] = {"deadline", "unset", TOWN2, "2021", NULL};
    ck_assert_int_eq(cli(un), 0);
    ck_assert_int_eq(cli(un2), 0);
}
END_TEST

/* A township's reader passes over thousands of other regions' changes in
 * bounded pages (each examines at most 5,000 rows) and then finds its own. */
START_TEST(scoped_reader_passes_over_others)
{
    json_t *p = page(&A, tok_town_view, "?since=now");
    char cursor[64];
    snprintf(cursor, sizeof cursor, "%s", json_string_value(json_object_get(p, "next")));
    json_decref(p);
    free(gk_h_sql1(&A, "INSERT INTO deadlines (region, year, date) SELECT '" OTHER_COUNTY "', y, '2030-01-31'"
                       " FROM generate_series(3000, 15000) y", 0, NULL));
    submit(&A, TOWN);
    int pages = 0, empty_more = 0;
    json_t *seen = json_array();
    long end = gk_h_now_ms() + 10000;
    for (bool more = true; (more || (json_array_size(seen) == 0 && gk_h_now_ms() < end)) && pages < 1000; pages++) {
        if (!more)
            gk_h_nap_ms(20); /* up to date, but the submission maybe held back a moment (drain_to_log) */
        char q[128];
        snprintf(q, sizeof q, "?since=%s&limit=5", cursor);
        p = page(pages % 2 ? &B : &A, tok_town_view, q);
        more = json_is_true(json_object_get(p, "more"));
        size_t n = json_array_size(json_object_get(p, "changes"));
        empty_more += n == 0 && more;
        json_array_extend(seen, json_object_get(p, "changes"));
        snprintf(cursor, sizeof cursor, "%s", json_string_value(json_object_get(p, "next")));
        json_decref(p);
    }
    ck_assert_int_ge(empty_more, 2); /* 12,001 rows of others: at least two full scans */
    ck_assert_int_ge((int)json_array_size(seen), 1);
    json_t *first = json_array_get(seen, 0);
    ck_assert_str_eq(json_string_value(json_object_get(first, "kind")), "revision");
    ck_assert_str_eq(json_string_value(json_object_get(first, "entity")), TOWN);
    size_t i;
    json_t *c;
    json_array_foreach(seen, i, c) ck_assert_str_eq(json_string_value(json_object_get(c, "entity")), TOWN);
    json_decref(seen);
    free(gk_h_sql1(&A, "DELETE FROM deadlines WHERE region = '" OTHER_COUNTY "' AND year >= 3000", 0, NULL));
}
END_TEST

static void expect_400(gk_h *h, const char *query, const char *last_id, const char *code, const char *path)
{
    char url[512], lid[200];
    snprintf(url, sizeof url, "/api/v1/changes%s", query);
    if (last_id != NULL)
        snprintf(lid, sizeof lid, "Last-Event-ID: %s\r\nAccept: text/event-stream", last_id);
    gk_resp r = gk_h_call(h, "GET", url, tok_admin, NULL, last_id != NULL ? lid : NULL);
    ck_assert_msg(r.status == 400, "%s: %d %s", query, r.status, r.body);
    json_t *j = json_loads(r.body, 0, NULL);
    ck_assert_msg(j != NULL, "%s: not JSON: %s", query, r.body);
    json_t *e = json_object_get(j, "error");
    ck_assert_str_eq(json_string_value(json_object_get(e, "code")), code);
    ck_assert_str_eq(json_string_value(json_object_get(e, "path")), path);
    ck_assert_ptr_nonnull(json_string_value(json_object_get(e, "message")));
    json_decref(j);
    gk_resp_free(&r);
}

START_TEST(bad_cursor_and_limit)
{
    const char *bad[] = {"?since=abc", "?since=1", "?since=1-", "?since=-1", "?since=01-2", "?since=1-02",
                         "?since=%2B1-2", "?since=1-2-3", "?since=1%202", "?since=99999999999999999999-1",
                         "?since=9223372036854775808-0", "?since=1-9223372036854775808", "?since=",
                         "?since=NOW", "?since=0x1-2"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        expect_400(&A, bad[i], NULL, "invalid_cursor", "since");
    expect_400(&B, "", "x", "invalid_cursor", "Last-Event-ID");
    expect_400(&B, "?since=1-1", "5-", "invalid_cursor", "Last-Event-ID");
    const char *lim[] = {"?limit=0", "?limit=1001", "?limit=-1", "?limit=abc", "?limit=1e3", "?limit=99999999999"};
    for (size_t i = 0; i < sizeof lim / sizeof lim[0]; i++)
        expect_400(&A, lim[i], NULL, "invalid_parameter", "limit");
    /* the largest valid cursor is accepted (and simply has nothing after it) */
    json_t *p = page(&A, tok_admin, "?since=9223372036854775807-9223372036854775807&limit=1000");
    ck_assert_int_eq((int)json_array_size(json_object_get(p, "changes")), 0);
    ck_assert_str_eq(json_string_value(json_object_get(p, "next")), "9223372036854775807-9223372036854775807");
    json_decref(p);
}
END_TEST

int main(void)
{
    sample_text = gk_h_read_file(GK_TEST_DATA "/sample-350481101-2020.json", NULL);
    const char *imp[] = {"regions", "import", GK_FIXTURES "/regions.csv", NULL};
    int failed = 1;
    if (sample_text == NULL || gk_h_setup(&A) != 0 || gk_h_cli(&A, NULL, 0, imp) != 0 ||
        gk_h_token(&A, "0", "admin", tok_admin, sizeof tok_admin) != 0 ||
        gk_h_token(&A, CITY, "submitter", tok_city_sub, sizeof tok_city_sub) != 0 ||
        gk_h_token(&A, CITY, "viewer", tok_city_view, sizeof tok_city_view) != 0 ||
        gk_h_token(&A, TOWN, "viewer", tok_town_view, sizeof tok_town_view) != 0 ||
        gk_h_token(&A, OTHER_COUNTY, "viewer", tok_other_view, sizeof tok_other_view) != 0 ||
        gk_h_daemon_start(&A, NULL) != 0) {
        fprintf(stderr, "setup failed\n");
        goto out;
    }
    B = A;
    B.d_pid = 0;
    B.sql = NULL;
    snprintf(B.daemon_log, sizeof B.daemon_log, "%s/gongkaid-b.log", A.dir);
    const char *extra_b[] = {"--changes-heartbeat-ms=300", "--changes-max-streams=2", NULL};
    if (gk_h_daemon_start(&B, extra_b) != 0) {
        fprintf(stderr, "setup of the second daemon failed\n");
        goto out;
    }
    Suite *s = suite_create("changes");
    TCase *tc = tcase_create("changes");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, exactly_once_in_order_across_daemons_and_restart);
    tcase_add_test(tc, open_transaction_holds_later_commits_back);
    tcase_add_test(tc, sse_pushes_and_resumes);
    tcase_add_test(tc, sse_across_restart);
    tcase_add_test(tc, sse_bounded);
    tcase_add_test(tc, review_change_and_revoked_token);
    tcase_add_test(tc, scope);
    tcase_add_test(tc, scoped_reader_passes_over_others);
    tcase_add_test(tc, bad_cursor_and_limit);
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
        gk_h_dump_log("gongkaid A", A.daemon_log);
        gk_h_dump_log("gongkaid B", B.daemon_log);
    }
    gk_h_daemon_stop(&B, NULL);
    gk_h_teardown(&A);
    free(sample_text);
    return failed == 0 ? 0 : 1;
}
