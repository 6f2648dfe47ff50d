/* routes_import.c — POST /api/v1/import: a published report (text, HTML,
 * Word .docx, Excel .xlsx, PDF) in the body, the report JSON and the
 * importer's placement notes in the answer; nothing is stored.
 *
 * The work is lib/import's readers (each already has its libFuzzer target:
 * tests/fuzz/fuzz_import*.c); this file only picks the reader, bounds the
 * body and the number of imports at once, and checks the scope.
 *
 * Why a thread: a reader may take long (a 200-page PDF, up to the PDF
 * reader's own 20 s limit), and the event loop must keep answering
 * everyone else meanwhile.  So the database part (authentication, the
 * region names of the token's scope for finding the entity from the
 * title) runs in the loop, the connection is given back, the reader runs
 * in a detached thread on copies it owns, and a pipe wakes the loop when it
 * is done.  If the request was answered meanwhile (our request timeout) the
 * job is orphaned and freed when the thread finishes. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <libxml/parser.h>

#include "auth.h"
#include "import.h"
#include "log.h"
#include "routes.h"

/* Imports running at once (each a thread and up to --max-import bytes of
 * body plus what its reader holds); one more gets 503 busy. */
#define GK_IMPORT_MAX_JOBS 2

static int running;

typedef enum reader { READ_AUTO, READ_TEXT, READ_HTML } reader;

typedef struct import_job {
    /* inputs, owned by the job */
    char *body;
    size_t len;
    reader how;
    char entity[32], format[16];
    int year;
    gk_region_list regions;
    char *in_scope;           /* per region: 1 when the token may act on it */
    bool admin;
    /* the thread's output */
    gk_import_result res;
    int done;                 /* set with release order by the thread */
    /* loop side */
    int pipefd[2];
    struct event *ev;
    gk_req *r;                /* NULL once orphaned */
    bool started;
} import_job;

static void job_free(import_job *j)
{
    if (j == NULL)
        return;
    free(j->body);
    gk_region_list_free(&j->regions);
    free(j->in_scope);
    gk_import_result_free(&j->res);
    if (j->ev != NULL)
        event_free(j->ev);
    if (j->pipefd[0] >= 0)
        close(j->pipefd[0]);
    if (j->pipefd[1] >= 0)
        close(j->pipefd[1]);
    free(j);
}

/* The request's state: a job not yet started is freed with the request; a
 * running one is orphaned and freed by on_done. */
static void st_free(void *p)
{
    import_job *j = p;
    if (j == NULL)
        return;
    if (j->started) {
        j->r = NULL;
        return;
    }
    job_free(j);
}

static void *run(void *arg)
{
    import_job *j = arg;
    gk_import_options opt = {
        .entity = j->entity[0] ? j->entity : NULL,
        .year = j->year,
        .format = j->format[0] ? j->format : NULL,
        .regions = &j->regions,
    };
    if (j->how == READ_TEXT)
        gk_import_text(j->body, j->len, &opt, &j->res);
    else if (j->how == READ_HTML)
        gk_import_html(j->body, j->len, &opt, &j->res);
    else
        gk_import_auto(j->body, j->len, &opt, &j->res);
    __atomic_store_n(&j->done, 1, __ATOMIC_RELEASE);
    char one = 1;
    while (write(j->pipefd[1], &one, 1) < 0 && errno == EINTR)
        ;
    return NULL;
}

static json_t *items_json(const gk_import_list *l)
{
    json_t *a = json_array();
    for (size_t i = 0; i < l->n; i++) {
        const gk_import_item *it = &l->items[i];
        char where[160];
        gk_import_item_where(it, where, sizeof where);
        json_array_append_new(a, json_pack("{s:i,s:i,s:i,s:i,s:s,s:s,s:s}", "line", it->line, "table", it->table,
                                           "row", it->row, "column", it->column, "where", where, "text",
                                           it->text ? it->text : "", "reason", it->reason ? it->reason : ""));
    }
    return a;
}

static void answer(gk_req *r, import_job *j)
{
    gk_import_result *res = &j->res;
    if (res->status == GK_IMPORT_NOT_REPORT || res->report == NULL) {
        gk_reply_error(r, 422, res->error_code[0] ? res->error_code : "not_a_report", "", "%s",
                       res->error_message[0] ? res->error_message : "无法识别为政府信息公开年度报告");
        return;
    }
    const char *entity = res->report->entity;
    size_t i = 0;
    while (i < j->regions.n && strcmp(j->regions.items[i].code, entity) != 0)
        i++;
    if (i == j->regions.n && j->admin) {
        gk_reply_error(r, 422, "unknown_entity", "entity", "区划代码 %s 不在区划表中", entity);
        return;
    }
    if (i == j->regions.n || !j->in_scope[i]) {
        gk_reply_error(r, 403, "forbidden", "entity", "令牌无权为 %s 导入报告", entity);
        return;
    }
    json_t *rep = gk_report_to_json(res->report);
    gk_reply_json(r, 200,
                  json_pack("{s:s,s:o,s:o,s:o}", "status", res->status == GK_IMPORT_OK ? "ok" : "partial", "report",
                            rep ? rep : json_null(), "unplaced", items_json(&res->unplaced), "notes",
                            items_json(&res->notes)));
}

static void on_done(evutil_socket_t fd, short what, void *arg)
{
    (void)what;
    import_job *j = arg;
    char b;
    if (read(fd, &b, 1) < 0 && (errno == EINTR || errno == EAGAIN))
        return;
    if (!__atomic_load_n(&j->done, __ATOMIC_ACQUIRE))
        return;
    running--;
    gk_req *r = j->r;
    if (r == NULL) {             /* answered meanwhile: nobody waits */
        job_free(j);
        return;
    }
    /* From here the request owns nothing running: its state is freed with it. */
    j->started = false;
    answer(r, j);
}

static void start_thread(gk_req *r, import_job *j)
{
    struct event_base *base = evhttp_connection_get_base(evhttp_request_get_connection(r->req));
    if (pipe(j->pipefd) != 0) {
        j->pipefd[0] = j->pipefd[1] = -1;
        gk_reply_error(r, 500, "internal", "", "内部错误（无法创建管道）");
        return;
    }
    j->ev = event_new(base, j->pipefd[0], EV_READ | EV_PERSIST, on_done, j);
    pthread_t t;
    pthread_attr_t attr;
    if (j->ev == NULL || event_add(j->ev, NULL) != 0 || pthread_attr_init(&attr) != 0) {
        gk_reply_error(r, 500, "internal", "", "内部错误");
        return;
    }
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    int rc = pthread_create(&t, &attr, run, j);
    pthread_attr_destroy(&attr);
    if (rc != 0) {
        gk_reply_error(r, 503, "busy", "", "导入服务繁忙，请稍后重试");
        return;
    }
    j->started = true;
    j->r = r;
    running++;
}

/* The regions of the token's scope (and their ancestors, whose names
 * settle a township name shared by several counties): code, name, parent,
 * and whether the token may act on it. */
static const char regions_sql[] =
    "SELECT code, name, coalesce(parent, ''), path @> ARRAY[$1::text] FROM regions"
    " WHERE code <> '0' AND (path @> ARRAY[$1::text]"
    " OR code = ANY ((SELECT path FROM regions WHERE code = $1::text)::text[]))";

static void got_regions(gk_req *r, PGresult *res)
{
    import_job *j = r->st;
    if (!gk_req_ok(r, res))
        return;
    int n = PQntuples(res);
    j->in_scope = calloc((size_t)n + 1, 1);
    if (j->in_scope == NULL) {
        gk_reply_error(r, 500, "internal", "", "内存不足");
        return;
    }
    j->regions.items = calloc((size_t)n + 1, sizeof *j->regions.items);
    if (j->regions.items == NULL) {
        gk_reply_error(r, 500, "internal", "", "内存不足");
        return;
    }
    j->regions.cap = (size_t)n + 1;
    for (int i = 0; i < n; i++) {
        gk_region *g = &j->regions.items[j->regions.n];
        g->code = strdup(PQgetvalue(res, i, 0));
        g->name = strdup(PQgetvalue(res, i, 1));
        g->parent = strdup(PQgetvalue(res, i, 2));
        j->in_scope[j->regions.n] = j->admin || strcmp(PQgetvalue(res, i, 3), "t") == 0;
        j->regions.n++;
        if (g->code == NULL || g->name == NULL || g->parent == NULL) {
            gk_reply_error(r, 500, "internal", "", "内存不足");
            return;
        }
    }
    /* The reader needs no connection: give it back before it runs. */
    gk_lease_release(r->lease);
    r->lease = NULL;
    if (running >= GK_IMPORT_MAX_JOBS) {
        evhttp_add_header(evhttp_request_get_output_headers(r->req), "Retry-After", "1");
        gk_reply_error(r, 503, "busy", "", "同时进行的导入已达 %d 个的上限，请稍后重试", GK_IMPORT_MAX_JOBS);
        return;
    }
    start_thread(r, j);
}

static bool ct_is(const char *ct, const char *type)
{
    size_t n = strlen(type);
    return strncasecmp(ct, type, n) == 0 && (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

/* The reader for a Content-Type: text and HTML by name, the binary formats
 * (and none given) by sniffing the bytes; false for what no reader takes. */
static bool pick_reader(const char *ct, reader *how)
{
    *how = READ_AUTO;
    if (ct == NULL || ct_is(ct, "application/octet-stream") || ct_is(ct, "application/pdf") ||
        ct_is(ct, "application/vnd.openxmlformats-officedocument.wordprocessingml.document") ||
        ct_is(ct, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet") ||
        ct_is(ct, "application/msword") || ct_is(ct, "application/vnd.ms-excel"))
        return true;
    if (ct_is(ct, "text/plain")) {
        *how = READ_TEXT;
        return true;
    }
    if (ct_is(ct, "text/html") || ct_is(ct, "application/xhtml+xml")) {
        *how = READ_HTML;
        return true;
    }
    return false;
}

static void import_start(gk_req *r, PGresult *res)
{
    (void)res;
    import_job *j = r->st;
    long limit = gk_server_config(r->srv)->max_import;
    j->body = gk_req_body(r, &j->len);
    if (j->len > (size_t)limit) {
        gk_reply_error(r, 413, "body_too_large", "", "导入的文件超过 %ld 字节的上限（--max-import）", limit);
        return;
    }
    if (j->len == 0) {
        gk_reply_error(r, 422, "empty_document", "", "请求体为空：请上传要导入的报告文件");
        return;
    }
    const char *ct = gk_req_header(r, "Content-Type");
    if (ct != NULL && ct_is(ct, "application/json")) {
        gk_reply_error(r, 415, "unsupported_media_type", "",
                       "JSON 报告无需导入：直接用 POST /api/v1/check 检查或 POST /api/v1/reports 提交");
        return;
    }
    if (!pick_reader(ct, &j->how)) {
        gk_reply_error(r, 415, "unsupported_media_type", "",
                       "不支持的 Content-Type：%s（可导入文本、HTML、Word .docx、Excel .xlsx、PDF）", ct);
        return;
    }
    const char *entity = gk_req_param(r, "entity");
    const char *year = gk_req_param(r, "year");
    const char *format = gk_req_param(r, "format");
    if (entity != NULL && (strlen(entity) == 0 || strlen(entity) >= sizeof j->entity ||
                           strspn(entity, "0123456789") != strlen(entity))) {
        gk_reply_error(r, 400, "bad_entity", "entity", "entity 应为区划代码（数字）");
        return;
    }
    if (format != NULL && (strlen(format) == 0 || strlen(format) >= sizeof j->format)) {
        gk_reply_error(r, 400, "bad_format", "format", "format 应为报告格式版本，如 2019");
        return;
    }
    if (year != NULL) {
        char *end = NULL;
        long y = strtol(year, &end, 10);
        if (end == year || *end != '\0' || y < 2000 || y > 2100) {
            gk_reply_error(r, 400, "bad_year", "year", "year 应为 2000 至 2100 之间的年度");
            return;
        }
        j->year = (int)y;
    }
    snprintf(j->entity, sizeof j->entity, "%s", entity ? entity : "");
    snprintf(j->format, sizeof j->format, "%s", format ? format : "");
    j->admin = r->role == GK_ROLE_ADMIN;
    const char *v[] = {r->token_region};
    gk_req_query(r, regions_sql, 1, v, got_regions);
}

void gk_route_import(gk_req *r)
{
    /* libxml2 initialises its globals once, from this (the loop's) thread,
     * before any reader thread uses it. */
    static bool xml_ready;
    if (!xml_ready) {
        xmlInitParser();
        xml_ready = true;
    }
    import_job *j = calloc(1, sizeof *j);
    if (j == NULL) {
        gk_reply_error(r, 500, "internal", "", "内存不足");
        return;
    }
    j->pipefd[0] = j->pipefd[1] = -1;
    gk_region_list_init(&j->regions);
    gk_import_result_init(&j->res);
    r->st = j;
    r->st_free = st_free;
    gk_req_with_db(r, true, import_start);
}
