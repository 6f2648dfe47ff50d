/* harness.h — integration test harness: a private PostgreSQL 15 in a
 * temporary directory and the real gongkaid on a free loopback port, plus a
 * tiny blocking HTTP/1.1 client and direct SQL for reading back state.
 * Children die with the test process (PR_SET_PDEATHSIG), so a crashing test
 * leaves no stray postgres or daemon behind. */
#ifndef GK_HARNESS_H
#define GK_HARNESS_H

#include <stddef.h>
#include <sys/types.h>
#include <libpq-fe.h>

typedef struct gk_h {
    char dir[128];        /* mkdtemp root */
    char pgdata[192];
    char conninfo[256];
    pid_t pg_pid;
    pid_t d_pid;
    int port;
    char daemon_log[192];
    PGconn *sql;          /* the tests' own connection */
    /* gk_h_http's socket timeout; 0: 15 s.  A test whose daemon is given a
     * longer --request-timeout-ms must wait longer than that too. */
    int http_timeout_ms;
} gk_h;

typedef struct gk_resp {
    int status;
    char *headers;        /* raw header block, lines "Name: value\r\n" */
    char *body;
    size_t body_len;
} gk_resp;

/* Every function returns 0 on success, -1 after printing why. */
int gk_h_setup(gk_h *h);              /* initdb + postgres + gongkaid */
void gk_h_teardown(gk_h *h);          /* stops both, removes the directory */
int gk_h_pg_start(gk_h *h);
int gk_h_pg_stop(gk_h *h);
int gk_h_daemon_start(gk_h *h, const char *const *extra_args);
int gk_h_daemon_stop(gk_h *h, int *exit_status);
/* Runs PostgreSQL's program `prog` (from GK_PG_BIN: pg_basebackup, …) with
 * args as the PostgreSQL user, output into DIR/<prog>.log; 0 when it
 * exited 0 within two minutes. */
int gk_h_pg_tool(gk_h *h, const char *prog, const char *const *args);
/* Runs `gongkaid ARGS…` against the test database; its stdout into out. */
int gk_h_cli(gk_h *h, char *out, size_t outlen, const char *const *args);

int gk_h_http(gk_h *h, const char *method, const char *path, const char *const *headers,
              const char *body, size_t body_len, gk_resp *out);
const char *gk_resp_header(const gk_resp *r, const char *name, char *buf, size_t len);
void gk_resp_free(gk_resp *r);

/* A request as a token holder sends it: "Authorization: Bearer token", a
 * JSON Content-Type when there is a body, and one extra header line (or
 * NULL).  Fails the running Check test when the exchange itself fails. */
gk_resp gk_h_call(gk_h *h, const char *method, const char *path, const char *token, const char *body,
                  const char *extra);
/* `gongkaid token create --region region --role role`: the new token into
 * out; 0, or -1 when the command failed. */
int gk_h_token(gk_h *h, const char *region, const char *role, char *out, size_t len);
/* Prints the file at path (a daemon's log) on stderr under a heading. */
void gk_h_dump_log(const char *what, const char *path);
/* Monotonic milliseconds, and a sleep, for polling with deadlines. */
long gk_h_now_ms(void);
void gk_h_nap_ms(int ms);

/* One value of a query (first row, first column) or NULL; malloc'd. */
char *gk_h_sql1(gk_h *h, const char *sql, int n, const char *const *params);
long gk_h_sql_long(gk_h *h, const char *sql, int n, const char *const *params);
/* Polls /healthz until it answers `status` or the deadline passes. */
int gk_h_wait_health(gk_h *h, int status, int timeout_ms);
/* The end of every test program: runs the suite in this process, stops
 * the daemon (an exit status other than 0 — e.g. a sanitizer's — counts as a
 * failure), prints the daemon's log when anything failed or GK_SHOW_LOG is
 * set, tears the harness down.  Returns the number of failures.  The
 * Suite type comes from <check.h>, included by the caller. */
struct Suite;
int gk_h_run_suite(gk_h *h, struct Suite *s);

/* Reads a whole file; malloc'd, NUL-terminated. */
char *gk_h_read_file(const char *path, size_t *len);

#endif
