/* harness.c — see harness.h.  PostgreSQL runs as `nobody` when we are root
 * (initdb refuses root); the temporary directory is handed to that user. */
#include <check.h>

#include "harness.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef GK_PG_BIN
#define GK_PG_BIN "/usr/lib/postgresql/15/bin"
#endif

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void nap(int ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* fork + exec.  as_pg: drop to nobody when root.  The child's stdout goes
 * to out_fd when >= 0, otherwise with stderr to logfile. */
static pid_t spawn(char *const argv[], bool as_pg, const char *logfile, int out_fd)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    if (as_pg && geteuid() == 0) {
        struct passwd *pw = getpwnam("nobody");
        if (pw == NULL || setgroups(0, NULL) != 0 || setgid(pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0)
            _exit(126);
    }
    /* After the credential change, which would clear it. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    int log = open(logfile, O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (log >= 0) {
        dup2(out_fd >= 0 ? out_fd : log, 1);
        dup2(log, 2);
    }
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0)
        dup2(devnull, 0);
    execv(argv[0], argv);
    _exit(127);
}

static int wait_exit(pid_t pid, int timeout_ms, int *status)
{
    long end = now_ms() + timeout_ms;
    while (now_ms() < end) {
        int st;
        pid_t r = waitpid(pid, &st, WNOHANG);
        if (r == pid) {
            if (status != NULL)
                *status = st;
            return 0;
        }
        if (r < 0)
            return -1;
        nap(20);
    }
    return -1;
}

/* The port gongkaid bound with --port=0, from its "listening on" line
 * written after byte `from` of its log; -1 until the line is there.  The
 * daemon binds the port itself: a port picked here and bound later by the
 * daemon could be taken in between (issue 13, item 5). */
static int bound_port(const char *logfile, long from)
{
    size_t len = 0;
    char *log = gk_h_read_file(logfile, &len);
    if (log == NULL)
        return -1;
    int port = -1;
    const char *p = (size_t)from <= len ? log + from : log + len;
    const char *hit = strstr(p, "listening on http://");
    if (hit != NULL) {
        const char *nl = strchr(hit, '\n');
        const char *colon = NULL;
        for (const char *q = hit + 20; *q != '\0' && (nl == NULL || q < nl); q++)
            if (*q == ':')
                colon = q;
        if (colon != NULL && nl != NULL)
            port = atoi(colon + 1);
    }
    free(log);
    return port > 0 ? port : -1;
}

static long file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : 0;
}

int gk_h_pg_start(gk_h *h)
{
    char log[256], sock[160];
    snprintf(log, sizeof log, "%s/postgres.log", h->dir);
    snprintf(sock, sizeof sock, "unix_socket_directories=%s", h->dir);
    char *argv[] = {GK_PG_BIN "/postgres", "-D", h->pgdata, "-c", sock, "-c", "listen_addresses=",
                    "-c", "fsync=on", "-c", "max_connections=40", NULL};
    h->pg_pid = spawn(argv, true, log, -1);
    if (h->pg_pid < 0)
        return -1;
    long end = now_ms() + 30000;
    while (now_ms() < end) {
        if (PQping(h->conninfo) == PQPING_OK)
            return 0;
        int st;
        if (waitpid(h->pg_pid, &st, WNOHANG) == h->pg_pid) {
            fprintf(stderr, "harness: postgres exited (see %s)\n", log);
            h->pg_pid = 0;
            return -1;
        }
        nap(50);
    }
    fprintf(stderr, "harness: postgres did not come up\n");
    return -1;
}

int gk_h_pg_stop(gk_h *h)
{
    if (h->pg_pid <= 0)
        return 0;
    kill(h->pg_pid, SIGINT); /* fast shutdown */
    int rc = wait_exit(h->pg_pid, 30000, NULL);
    if (rc != 0) {
        kill(h->pg_pid, SIGKILL);
        wait_exit(h->pg_pid, 5000, NULL);
    }
    h->pg_pid = 0;
    return rc;
}

int gk_h_daemon_start(gk_h *h, const char *const *extra)
{
    char port[16], db[300];
    snprintf(port, sizeof port, "--port=0");
    snprintf(db, sizeof db, "--database=%s", h->conninfo);
    const char *argv[32] = {GK_DAEMON, port, db, "--reconnect-max-ms=500", NULL};
    long log_from = file_size(h->daemon_log);
    __atomic_store_n(&h->port, 0, __ATOMIC_SEQ_CST); /* test_faults reads it from other threads */
    int n = 4;
    for (int i = 0; extra != NULL && extra[i] != NULL && n < 30; i++)
        argv[n++] = extra[i];
    argv[n] = NULL;
    h->d_pid = spawn((char *const *)argv, false, h->daemon_log, -1);
    if (h->d_pid < 0)
        return -1;
    long end = now_ms() + 20000;
    while (now_ms() < end) {
        gk_resp r;
        if (h->port <= 0) {
            int p = bound_port(h->daemon_log, log_from);
            if (p > 0)
                __atomic_store_n(&h->port, p, __ATOMIC_SEQ_CST);
        }
        if (h->port > 0 && gk_h_http(h, "GET", "/healthz", NULL, NULL, 0, &r) == 0) {
            int st = r.status;
            gk_resp_free(&r);
            if (st == 200)
                return 0;
        }
        int ws;
        if (waitpid(h->d_pid, &ws, WNOHANG) == h->d_pid) {
            fprintf(stderr, "harness: gongkaid exited at start (see %s)\n", h->daemon_log);
            h->d_pid = 0;
            return -1;
        }
        nap(30);
    }
    fprintf(stderr, "harness: gongkaid not healthy in time\n");
    return -1;
}

int gk_h_daemon_stop(gk_h *h, int *exit_status)
{
    if (h->d_pid <= 0)
        return 0;
    kill(h->d_pid, SIGTERM);
    int st = 0;
    int rc = wait_exit(h->d_pid, 20000, &st);
    if (rc != 0) {
        kill(h->d_pid, SIGKILL);
        wait_exit(h->d_pid, 5000, NULL);
    }
    h->d_pid = 0;
    if (exit_status != NULL)
        *exit_status = rc == 0 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return rc;
}

int gk_h_pg_tool(gk_h *h, const char *prog, const char *const *args)
{
    char path[256], log[256];
    snprintf(path, sizeof path, "%s/%s", GK_PG_BIN, prog);
    snprintf(log, sizeof log, "%s/%s.log", h->dir, prog);
    const char *argv[32] = {path};
    int n = 1;
    for (int i = 0; args[i] != NULL && n < 30; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    pid_t pid = spawn((char *const *)argv, true, log, -1);
    int st = 0;
    if (pid < 0 || wait_exit(pid, 120000, &st) != 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        fprintf(stderr, "harness: %s failed (see %s)\n", prog, log);
        return -1;
    }
    return 0;
}

int gk_h_cli(gk_h *h, char *out, size_t outlen, const char *const *args)
{
    char db[300], outfile[256];
    snprintf(db, sizeof db, "--database=%s", h->conninfo);
    snprintf(outfile, sizeof outfile, "%s/cli.out", h->dir);
    const char *argv[32] = {GK_DAEMON, db};
    int n = 2;
    for (int i = 0; args[i] != NULL && n < 30; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    int fd = open(outfile, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (fd < 0)
        return -1;
    pid_t pid = spawn((char *const *)argv, false, h->daemon_log, fd);
    int st = 0;
    int rc = pid > 0 ? wait_exit(pid, 120000, &st) : -1;
    close(fd);
    if (out != NULL && outlen > 0) {
        size_t len = 0;
        char *text = gk_h_read_file(outfile, &len);
        snprintf(out, outlen, "%s", text ? text : "");
        free(text);
    }
    if (rc != 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
        return -1;
    return 0;
}

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

int gk_h_setup(gk_h *h)
{
    memset(h, 0, sizeof *h);
    snprintf(h->dir, sizeof h->dir, "/tmp/gkit-XXXXXX");
    if (mkdtemp(h->dir) == NULL)
        return -1;
    snprintf(h->pgdata, sizeof h->pgdata, "%s/pgdata", h->dir);
    snprintf(h->daemon_log, sizeof h->daemon_log, "%s/gongkaid.log", h->dir);
    snprintf(h->conninfo, sizeof h->conninfo, "host=%s port=5432 user=postgres dbname=postgres", h->dir);
    if (geteuid() == 0) {
        struct passwd *pw = getpwnam("nobody");
        if (pw == NULL || chown(h->dir, pw->pw_uid, pw->pw_gid) != 0)
            return -1;
    }
    chmod(h->dir, 0755); /* traversable by the unprivileged postgres */
    char log[256];
    snprintf(log, sizeof log, "%s/initdb.log", h->dir);
    char *argv[] = {GK_PG_BIN "/initdb", "-D", h->pgdata, "-U", "postgres", "-A", "trust", "-E", "UTF8",
                    "--no-locale", "--no-sync", NULL};
    pid_t pid = spawn(argv, true, log, -1);
    int st = 0;
    if (pid < 0 || wait_exit(pid, 120000, &st) != 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        fprintf(stderr, "harness: initdb failed (see %s)\n", log);
        return -1;
    }
    if (gk_h_pg_start(h) != 0)
        return -1;
    /* Schema first, so tests can seed through the CLI before the daemon runs. */
    const char *mig[] = {"migrate", NULL};
    if (gk_h_cli(h, NULL, 0, mig) != 0)
        return -1;
    h->sql = PQconnectdb(h->conninfo);
    if (PQstatus(h->sql) != CONNECTION_OK)
        return -1;
    return 0;
}

void gk_h_teardown(gk_h *h)
{
    if (h->sql != NULL)
        PQfinish(h->sql);
    h->sql = NULL;
    gk_h_daemon_stop(h, NULL);
    gk_h_pg_stop(h);
    if (h->dir[0] != '\0' && getenv("GK_KEEP_TMP") == NULL)
        nftw(h->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* ---- HTTP ---- */

/* GK_ANSWERS_DIR set (tests/integration/CMakeLists.txt): every JSON answer
 * received is appended to DIR/answers-PID.txt as "METHOD STATUS LENGTH\tPATH\n"
 * and the body, for tests/schema/check_recorded_answers.py to validate
 * against the OpenAPI document. */
static void record_answer(const char *method, const char *path, const gk_resp *r)
{
    const char *dir = getenv("GK_ANSWERS_DIR");
    char ct[128];
    if (dir == NULL || gk_resp_header(r, "Content-Type", ct, sizeof ct) == NULL ||
        strncmp(ct, "application/json", 16) != 0)
        return;
    mkdir(dir, 0755); /* the first test to answer makes it */
    char file[512];
    snprintf(file, sizeof file, "%s/answers-%ld.txt", dir, (long)getpid());
    FILE *f = fopen(file, "a");
    if (f == NULL)
        return;
    fprintf(f, "%s %d %zu\t%s\n", method, r->status, r->body_len, path);
    fwrite(r->body, 1, r->body_len, f);
    fputc('\n', f);
    fclose(f);
}

int gk_h_http(gk_h *h, const char *method, const char *path, const char *const *headers, const char *body,
              size_t body_len, gk_resp *out)
{
    memset(out, 0, sizeof *out);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    int tmo = h->http_timeout_ms > 0 ? h->http_timeout_ms : 15000;
    struct timeval tv = {tmo / 1000, (tmo % 1000) * 1000};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)h->port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    char *req = NULL, *resp = NULL;
    size_t rlen = 0, rcap = 0;
    int rc = -1;
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0)
        goto out;
    size_t hl = 0;
    for (int i = 0; headers != NULL && headers[i] != NULL; i++)
        hl += strlen(headers[i]) + 2;
    size_t cap = strlen(method) + strlen(path) + hl + 256 + body_len;
    req = malloc(cap);
    if (req == NULL)
        goto out;
    int n = snprintf(req, cap, "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n", method, path);
    for (int i = 0; headers != NULL && headers[i] != NULL; i++)
        n += snprintf(req + n, cap - (size_t)n, "%s\r\n", headers[i]);
    if (body != NULL)
        n += snprintf(req + n, cap - (size_t)n, "Content-Length: %zu\r\n", body_len);
    n += snprintf(req + n, cap - (size_t)n, "\r\n");
    size_t total = (size_t)n;
    if (body != NULL) {
        memcpy(req + total, body, body_len);
        total += body_len;
    }
    for (size_t off = 0; off < total;) {
        ssize_t w = send(fd, req + off, total - off, MSG_NOSIGNAL);
        if (w <= 0)
            break; /* the server may refuse early (413): read its answer anyway */
        off += (size_t)w;
    }
    for (;;) {
        if (rlen + 4096 + 1 > rcap) {
            rcap = (rcap + 4096) * 2;
            char *nb = realloc(resp, rcap);
            if (nb == NULL)
                goto out;
            resp = nb;
        }
        ssize_t r = recv(fd, resp + rlen, rcap - rlen - 1, 0);
        if (r <= 0)
            break;
        rlen += (size_t)r;
    }
    if (resp == NULL || rlen < 12)
        goto out;
    resp[rlen] = '\0';
    char *hend = strstr(resp, "\r\n\r\n");
    if (hend == NULL || sscanf(resp, "HTTP/1.%*d %d", &out->status) != 1)
        goto out;
    char *line1 = strstr(resp, "\r\n");
    out->headers = strndup(line1 + 2, (size_t)(hend + 2 - (line1 + 2)));
    out->body_len = rlen - (size_t)(hend + 4 - resp);
    out->body = malloc(out->body_len + 1);
    if (out->headers == NULL || out->body == NULL)
        goto out;
    memcpy(out->body, hend + 4, out->body_len);
    out->body[out->body_len] = '\0';
    rc = 0;
    record_answer(method, path, out);
out:
    if (rc != 0)
        gk_resp_free(out);
    free(req);
    free(resp);
    close(fd);
    return rc;
}

const char *gk_resp_header(const gk_resp *r, const char *name, char *buf, size_t len)
{
    size_t nl = strlen(name);
    for (const char *p = r->headers; p != NULL && *p; p = strstr(p, "\r\n") ? strstr(p, "\r\n") + 2 : NULL) {
        if (strncasecmp(p, name, nl) == 0 && p[nl] == ':') {
            const char *v = p + nl + 1;
            while (*v == ' ')
                v++;
            size_t vl = strcspn(v, "\r\n");
            snprintf(buf, len, "%.*s", (int)vl, v);
            return buf;
        }
    }
    return NULL;
}

void gk_resp_free(gk_resp *r)
{
    free(r->headers);
    free(r->body);
    r->headers = r->body = NULL;
}

int gk_h_wait_health(gk_h *h, int status, int timeout_ms)
{
    long end = now_ms() + timeout_ms;
    while (now_ms() < end) {
        gk_resp r;
        if (gk_h_http(h, "GET", "/healthz", NULL, NULL, 0, &r) == 0) {
            int st = r.status;
            gk_resp_free(&r);
            if (st == status)
                return 0;
        }
        nap(50);
    }
    return -1;
}

/* ---- SQL ---- */

char *gk_h_sql1(gk_h *h, const char *sql, int n, const char *const *params)
{
    if (PQstatus(h->sql) != CONNECTION_OK)
        PQreset(h->sql);
    PGresult *res = PQexecParams(h->sql, sql, n, NULL, params, NULL, NULL, 0);
    char *v = NULL;
    if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) > 0 && !PQgetisnull(res, 0, 0))
        v = strdup(PQgetvalue(res, 0, 0));
    else if (PQresultStatus(res) != PGRES_TUPLES_OK && PQresultStatus(res) != PGRES_COMMAND_OK)
        fprintf(stderr, "harness sql: %s", PQresultErrorMessage(res));
    PQclear(res);
    return v;
}

long gk_h_sql_long(gk_h *h, const char *sql, int n, const char *const *params)
{
    char *v = gk_h_sql1(h, sql, n, params);
    long r = v != NULL ? strtol(v, NULL, 10) : -1;
    free(v);
    return r;
}

char *gk_h_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    size_t cap = 4096, n = 0;
    char *b = malloc(cap);
    size_t r;
    while (b != NULL && (r = fread(b + n, 1, cap - n - 1, f)) > 0) {
        n += r;
        if (cap - n - 1 == 0) {
            char *nb = realloc(b, cap * 2);
            if (nb == NULL) {
                free(b);
                b = NULL;
                break;
            }
            b = nb;
            cap *= 2;
        }
    }
    fclose(f);
    if (b != NULL)
        b[n] = '\0';
    if (len != NULL)
        *len = n;
    return b;
}

int gk_h_run_suite(gk_h *h, Suite *s)
{
    SRunner *sr = srunner_create(s);
    srunner_set_fork_status(sr, CK_NOFORK);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    int st = -1;
    gk_h_daemon_stop(h, &st);
    if (st != 0) {
        fprintf(stderr, "gongkaid exited with %d\n", st);
        failed++;
    }
    if (failed > 0 || getenv("GK_SHOW_LOG") != NULL) {
        char *log = gk_h_read_file(h->daemon_log, NULL);
        fprintf(stderr, "---- gongkaid log ----\n%s\n", log ? log : "(none)");
        free(log);
    }
    gk_h_teardown(h);
    return failed;
}

gk_resp gk_h_call(gk_h *h, const char *method, const char *path, const char *token, const char *body,
                  const char *extra)
{
    char ah[300];
    snprintf(ah, sizeof ah, "Authorization: Bearer %s", token);
    const char *hdr[4] = {ah, NULL, NULL, NULL};
    int n = 1;
    if (body != NULL)
        hdr[n++] = "Content-Type: application/json";
    if (extra != NULL)
        hdr[n++] = extra;
    gk_resp r;
    ck_assert_int_eq(gk_h_http(h, method, path, hdr, body, body ? strlen(body) : 0, &r), 0);
    return r;
}

long gk_h_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

void gk_h_nap_ms(int ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

int gk_h_token(gk_h *h, const char *region, const char *role, char *out, size_t len)
{
    char buf[256];
    const char *args[] = {"token", "create", "--region", region, "--role", role, NULL};
    if (gk_h_cli(h, buf, sizeof buf, args) != 0)
        return -1;
    buf[strcspn(buf, "\n")] = '\0';
    snprintf(out, len, "%s", buf);
    return strncmp(buf, "gk_", 3) == 0 ? 0 : -1;
}

void gk_h_dump_log(const char *what, const char *path)
{
    char *log = gk_h_read_file(path, NULL);
    fprintf(stderr, "---- %s ----\n%s\n", what, log ? log : "(none)");
    free(log);
}
