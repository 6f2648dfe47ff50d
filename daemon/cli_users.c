/* cli_users.c — `gongkaid user add|list|disable|passwd`: the people who
 * sign in to the web console (sql/120_accounts.sql, docs/security.md).
 * A password is read from the terminal (twice, not echoed) or as one line
 * of standard input — never from argv, which any local user can read in
 * /proc — hashed here with Argon2id and wiped from memory after.  Disabling
 * a user or setting a new password ends every session of that user at once
 * (in the same transaction): the next request with one is refused. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "auth.h"
#include "cli.h"
#include "gongkai/textutil.h"
#include "password.h"

#define USAGE                                                                                                    \
    "用法：gongkaid user add 用户名 --region 区划代码 --role submitter|viewer|admin   （密码从终端或标准输入读入）\n" \
    "      gongkaid user list\n"                                                                                 \
    "      gongkaid user disable 用户名\n"                                                                       \
    "      gongkaid user passwd 用户名                                                （新密码从终端或标准输入读入）\n"

/* One line into buf (without its end of line); -1 at EOF, -2 when longer
 * than the buffer allows. */
static int read_line(FILE *in, char *buf, size_t cap, size_t *len)
{
    if (fgets(buf, (int)cap, in) == NULL)
        return -1;
    size_t n = strlen(buf);
    if (n > 0 && buf[n - 1] == '\n')
        buf[--n] = '\0';
    else if (!feof(in))
        return -2;
    if (n > 0 && buf[n - 1] == '\r')
        buf[--n] = '\0';
    *len = n;
    return 0;
}

static int prompt_hidden(const char *prompt, char *buf, size_t cap, size_t *len)
{
    struct termios old, quiet;
    fputs(prompt, stderr);
    fflush(stderr);
    bool tty = tcgetattr(STDIN_FILENO, &old) == 0;
    if (tty) {
        quiet = old;
        quiet.c_lflag &= (tcflag_t) ~ECHO;
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
    int rc = read_line(stdin, buf, cap, len);
    if (tty) {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
        fputc('\n', stderr);
    }
    return rc;
}

/* The new password, checked against the rules; 0, or the exit code. */
static int read_password(const char *name, char *pw, size_t cap, size_t *len)
{
    int rc;
    if (isatty(STDIN_FILENO)) {
        char again[GK_PASSWORD_MAX + 3];
        size_t alen = 0;
        rc = prompt_hidden("新密码：", pw, cap, len);
        if (rc == 0)
            rc = prompt_hidden("再输入一次：", again, sizeof again, &alen);
        bool same = rc == 0 && alen == *len && memcmp(again, pw, alen) == 0;
        sodium_memzero(again, sizeof again);
        if (rc == 0 && !same) {
            fprintf(stderr, "两次输入的密码不一致\n");
            return 2;
        }
    } else {
        rc = read_line(stdin, pw, cap, len);
    }
    if (rc == -1) {
        fprintf(stderr, "没有读到密码（应从终端输入，或从标准输入给出一行）\n");
        return 2;
    }
    if (rc == -2) {
        fprintf(stderr, "密码过长（至多 %d 字节）\n", GK_PASSWORD_MAX);
        return 2;
    }
    const char *problem = gk_password_problem(pw, *len, name);
    if (problem != NULL) {
        fprintf(stderr, "%s\n", problem);
        return 2;
    }
    return 0;
}

/* Reads, checks and hashes a new password for name; 0 or the exit code. */
static int new_hash(const gk_config *cfg, const char *name, char out[GK_PWHASH_STRBYTES])
{
    char pw[GK_PASSWORD_MAX + 3];
    size_t len = 0;
    int rc = read_password(name, pw, sizeof pw, &len);
    if (rc == 0 && gk_password_hash(out, pw, len, (unsigned long long)cfg->pwhash_ops, (size_t)cfg->pwhash_mem_kib) != 0) {
        fprintf(stderr, "无法计算密码散列（内存不足？--pwhash-mem-kib=%ld）\n", cfg->pwhash_mem_kib);
        rc = 1;
    }
    sodium_memzero(pw, sizeof pw);
    return rc;
}

static bool exists(PGconn *pg, const char *sql, const char *v)
{
    PGresult *res = NULL;
    if (gk_cli_exec(pg, sql, 1, &v, &res) != 0)
        return false;
    bool yes = PQntuples(res) == 1;
    PQclear(res);
    return yes;
}

static int user_add(const gk_config *cfg, PGconn *pg, int argc, char **argv)
{
    if (argc < 1 || argc % 2 != 1) {
        fputs(USAGE, stderr);
        return 2;
    }
    const char *name = argv[0], *region = NULL, *role = NULL;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--region") == 0)
            region = argv[i + 1];
        else if (strcmp(argv[i], "--role") == 0)
            role = argv[i + 1];
        else {
            fprintf(stderr, "未知选项：%s\n", argv[i]);
            return 2;
        }
    }
    const char *problem = gk_user_name_problem(name, strlen(name));
    if (problem != NULL) {
        fprintf(stderr, "%s\n", problem);
        return 2;
    }
    if (region == NULL || role == NULL) {
        fputs(USAGE, stderr);
        return 2;
    }
    if (gk_role_parse(role) == GK_ROLE_NONE) {
        fprintf(stderr, "角色无效：%s（应为 submitter、viewer 或 admin）\n", role);
        return 2;
    }
    if (!exists(pg, "SELECT 1 FROM regions WHERE code = $1", region)) {
        fprintf(stderr, "区划代码不存在：%s（先导入区划）\n", region);
        return 1;
    }
    if (exists(pg, "SELECT 1 FROM users WHERE name = $1", name)) {
        fprintf(stderr, "用户已存在：%s（改密码用 gongkaid user passwd）\n", name);
        return 1;
    }
    char hash[GK_PWHASH_STRBYTES];
    int rc = new_hash(cfg, name, hash);
    if (rc != 0)
        return rc;
    /* the user's own token: a secret nobody is shown (sql/120_accounts.sql) */
    char tok[68], hex[65], bytea[70];
    if (gk_token_generate(tok) != 0) {
        fprintf(stderr, "无法生成随机数\n");
        return 1;
    }
    gk_sha256_hex(tok, strlen(tok), hex);
    sodium_memzero(tok, sizeof tok);
    snprintf(bytea, sizeof bytea, "\\x%s", hex);
    const char *v[] = {bytea, region, role, name, hash};
    PGresult *res = NULL;
    rc = gk_cli_exec(pg,
             "WITH t AS (INSERT INTO tokens (hash, region, role, note) VALUES ($1::bytea, $2, $3, 'user ' || $4)"
             "  RETURNING id),"
             " u AS (INSERT INTO users (name, token_id, password_hash) SELECT $4, id, $5 FROM t RETURNING id, token_id),"
             " a AS (INSERT INTO audit (token_id, user_id, action, entity, peer)"
             "  SELECT u.token_id, u.id, 'user.add ' || $4 || ' ' || $3, $2, 'cli' FROM u)"
             " SELECT id FROM u",
             5, v, &res);
    sodium_memzero(hash, sizeof hash);
    if (rc != 0)
        return 1;
    fprintf(stderr, "已添加用户 %s（#%s，%s，%s）\n", name, PQgetvalue(res, 0, 0), region, role);
    PQclear(res);
    return 0;
}

static int user_list(PGconn *pg)
{
    PGresult *res = NULL;
    if (gk_cli_exec(pg,
            "SELECT u.id, u.name, t.region, t.role,"
            " to_char(u.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
            " coalesce(to_char(u.disabled_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), '-'),"
            " (SELECT count(*) FROM sessions s WHERE s.user_id = u.id AND s.revoked_at IS NULL"
            "  AND s.expires_at > now())"
            " FROM users u JOIN tokens t ON t.id = u.token_id ORDER BY u.id",
            0, NULL, &res) != 0)
        return 1;
    printf("%-6s %-20s %-12s %-10s %-20s %-20s %s\n", "id", "name", "region", "role", "created_at", "disabled_at",
           "sessions");
    for (int i = 0; i < PQntuples(res); i++) {
        /* names are often Chinese: padded by display width, not bytes */
        printf("%-6s ", PQgetvalue(res, i, 0));
        gk_fput_padded(stdout, PQgetvalue(res, i, 1), 20);
        printf(" %-12s %-10s %-20s %-20s %s\n", PQgetvalue(res, i, 2), PQgetvalue(res, i, 3), PQgetvalue(res, i, 4),
               PQgetvalue(res, i, 5), PQgetvalue(res, i, 6));
    }
    PQclear(res);
    return 0;
}

static int user_disable(PGconn *pg, const char *name)
{
    PGresult *res = NULL;
    if (gk_cli_exec(pg,
            "WITH u AS (UPDATE users SET disabled_at = now() WHERE name = $1 AND disabled_at IS NULL"
            "  RETURNING id, token_id),"
            " s AS (UPDATE sessions SET revoked_at = now() WHERE user_id IN (SELECT id FROM u) AND revoked_at IS NULL"
            "  RETURNING 1),"
            " t AS (UPDATE tokens SET revoked_at = now() WHERE id IN (SELECT token_id FROM u) AND revoked_at IS NULL"
            "  RETURNING id, region),"
            " a AS (INSERT INTO audit (token_id, user_id, action, entity, peer)"
            "  SELECT u.token_id, u.id, 'user.disable ' || $1, (SELECT region FROM tokens WHERE id = u.token_id), 'cli'"
            "  FROM u)"
            " SELECT (SELECT count(*) FROM u), (SELECT count(*) FROM s)",
            1, &name, &res) != 0)
        return 1;
    bool done = PQgetvalue(res, 0, 0)[0] == '1';
    if (done)
        fprintf(stderr, "已停用用户 %s，结束其会话 %s 个\n", name, PQgetvalue(res, 0, 1));
    else
        fprintf(stderr, "没有未停用的用户：%s\n", name);
    PQclear(res);
    return done ? 0 : 1;
}

static int user_passwd(const gk_config *cfg, PGconn *pg, const char *name)
{
    if (!exists(pg, "SELECT 1 FROM users WHERE name = $1 AND disabled_at IS NULL", name)) {
        fprintf(stderr, "没有未停用的用户：%s\n", name);
        return 1;
    }
    char hash[GK_PWHASH_STRBYTES];
    int rc = new_hash(cfg, name, hash);
    if (rc != 0)
        return rc;
    const char *v[] = {name, hash};
    PGresult *res = NULL;
    rc = gk_cli_exec(pg,
             "WITH u AS (UPDATE users SET password_hash = $2, password_at = now() WHERE name = $1"
             "  AND disabled_at IS NULL RETURNING id, token_id),"
             " s AS (UPDATE sessions SET revoked_at = now() WHERE user_id IN (SELECT id FROM u) AND revoked_at IS NULL"
             "  RETURNING 1),"
             " a AS (INSERT INTO audit (token_id, user_id, action, entity, peer)"
             "  SELECT u.token_id, u.id, 'user.passwd ' || $1, (SELECT region FROM tokens WHERE id = u.token_id), 'cli'"
             "  FROM u)"
             " SELECT (SELECT count(*) FROM u), (SELECT count(*) FROM s)",
             2, v, &res);
    sodium_memzero(hash, sizeof hash);
    if (rc != 0)
        return 1;
    bool done = PQgetvalue(res, 0, 0)[0] == '1';
    if (done)
        fprintf(stderr, "已更新用户 %s 的密码，结束其会话 %s 个\n", name, PQgetvalue(res, 0, 1));
    else
        fprintf(stderr, "没有未停用的用户：%s\n", name);
    PQclear(res);
    return done ? 0 : 1;
}

int gk_cli_user(const gk_config *cfg, int argc, char **argv)
{
    if (argc < 1) {
        fputs(USAGE, stderr);
        return 2;
    }
    const char *cmd = argv[0];
    bool known = strcmp(cmd, "add") == 0 || (strcmp(cmd, "list") == 0 && argc == 1) ||
                 ((strcmp(cmd, "disable") == 0 || strcmp(cmd, "passwd") == 0) && argc == 2);
    if (!known) {
        fputs(USAGE, stderr);
        return 2;
    }
    if (gk_password_init() != 0) {
        fprintf(stderr, "libsodium 初始化失败\n");
        return 1;
    }
    PGconn *pg = gk_cli_connect(cfg);
    if (pg == NULL || gk_migrate(pg) != 0) {
        PQfinish(pg);
        return 1;
    }
    int rc;
    if (strcmp(cmd, "add") == 0)
        rc = user_add(cfg, pg, argc - 1, argv + 1);
    else if (strcmp(cmd, "list") == 0)
        rc = user_list(pg);
    else if (strcmp(cmd, "disable") == 0)
        rc = user_disable(pg, argv[1]);
    else
        rc = user_passwd(cfg, pg, argv[1]);
    PQfinish(pg);
    return rc;
}
