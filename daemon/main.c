/* main.c — gongkaid: parse the configuration, run a subcommand or the
 * server (migrate, connect the pool, listen, dispatch until SIGTERM). */
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <event2/event.h>

#include "auth.h"
#include "cache.h"
#include "changes_stream.h"
#include "cli.h"
#include "pwhash_worker.h"
#include "config.h"
#include "http.h"
#include "listener.h"
#include "metrics.h"
#include "log.h"
#include "pool.h"
#include "readcache.h"
#include "routes.h"
#include "signature.h"
#include "townships.h"

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
    (void)what;
    gk_log_info("signal %d: stopping", (int)sig);
    gk_server_stop(arg);
}

/* The answer cache is keyed by tags read from the database, so it needs no
 * notification per change; but when the listener says everything may be
 * stale (a gap, a reconnect: possibly another database state), drop it. */
static void cache_on_change(const char *payload, void *arg)
{
    if (payload == NULL)
        gk_cache_clear(arg);
}

/* The read cache is stale after anything the listener says; a gap (NULL)
 * also says whether it is live now. */
static void readcache_on_change(const char *payload, void *arg)
{
    if (payload == NULL)
        gk_readcache_set_live(gk_listener_live(arg));
    else if (strcmp(payload, "tokens") == 0)
        gk_readcache_tokens_changed();
    else
        gk_readcache_changed();
}

/* Change-feed streams look for new changes after anything the listener
 * says (another daemon's submissions, registry, deadlines, tokens, a gap)
 * and after this daemon's own writes. */
static void changes_on_change(const char *payload, void *arg)
{
    (void)payload;
    (void)arg;
    gk_changes_streams_wake();
}

static void announce_and_wake(void *listener)
{
    gk_listener_announce(listener);
    gk_changes_streams_wake();
}

/* Is the database a hot standby? */
static bool in_recovery(PGconn *pg)
{
    PGresult *res = PQexec(pg, "SELECT pg_is_in_recovery()");
    bool yes = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 0), "t") == 0;
    PQclear(res);
    return yes;
}

static int serve(gk_config *cfg)
{
    int rc = 1;
    struct event_base *base = NULL;
    gk_pool *pool = NULL;
    gk_server *srv = NULL;
    struct event *sigterm = NULL, *sigint = NULL;
    gk_cache *cache = NULL;
    gk_listener *listener = NULL;

    PGconn *pg = gk_cli_connect(cfg);   /* start-up: blocking is allowed */
    if (pg == NULL)
        goto out;
    /* A read-only daemon (hot standby) can neither migrate nor backfill: it
     * only checks that the primary has migrated to this binary's schema.
     * A writable one on a standby would answer every submission 500. */
    if (!cfg->read_only && in_recovery(pg)) {
        fprintf(stderr, "数据库是只读备库（恢复中）：只读服务请加 --read-only=1\n");
        PQfinish(pg);
        goto out;
    }
    int m = cfg->read_only ? gk_migrate_check(pg) : gk_migrate(pg);
    /* The judgement's township names (townships.h), loaded now rather than
     * by the first concurrent submissions, which would each fetch all
     * 41,352 (8 × ~10 MB of results at once, and a heap that stays that
     * big); the start-up backfill of signatures masks names with them too,
     * as submissions do. */
    if (m == 0 && !cfg->read_only && (gk_townships_load(pg) != 0 || gk_backfill_signatures(pg, gk_townships()) != 0))
        m = -1;
    PQfinish(pg);
    if (m != 0)
        goto out;
    cache = gk_cache_new((size_t)cfg->cache_entries, (size_t)cfg->cache_mb << 20);
    if (cache == NULL)
        goto out;
    gk_routes_set_cache(cache);

    signal(SIGPIPE, SIG_IGN);
    /* The epoll changelist merges the add/delete pairs evhttp makes on each
     * keep-alive request (read off while answering, write on until sent)
     * into one epoll_ctl per change that survives the loop iteration:
     * 4 system calls per polled read became 2 (strace), +25 % polls/s.
     * Its one caveat (dup()ed descriptors) does not apply: we never dup. */
    struct event_config *ecfg = event_config_new();
    if (ecfg == NULL)
        goto out;
    event_config_set_flag(ecfg, EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST);
    base = event_base_new_with_config(ecfg);
    event_config_free(ecfg);
    if (base == NULL || gk_log_attach(base) != 0)
        goto out;
    listener = gk_listener_new(base, cfg);
    if (listener == NULL || gk_listener_subscribe(listener, cache_on_change, cache) != 0 ||
        gk_listener_subscribe(listener, readcache_on_change, listener) != 0 ||
        gk_listener_subscribe(listener, changes_on_change, NULL) != 0)
        goto out;
    gk_readcache_init(cfg->read_check_ms > 0 && !cfg->read_only);
    gk_readcache_set_announce(announce_and_wake, listener);
    gk_metrics_set_listener(listener);
    pool = gk_pool_new(base, cfg->database, (int)cfg->pool_size, (int)cfg->queue_max, cfg->connect_timeout_ms,
                       cfg->reconnect_min_ms, cfg->reconnect_max_ms);
    if (pool != NULL) {
        gk_pool_set_read_reserve(pool, (int)cfg->pool_read_reserve);
        gk_pool_set_prepare(pool, cfg->db_prepare != 0);
    }
    /* console sign-ins check passwords on these threads (pwhash_worker.h) */
    if (gk_pw_start(base, (int)cfg->pwhash_threads, (int)cfg->pwhash_queue, (unsigned long long)cfg->pwhash_ops,
                    (size_t)cfg->pwhash_mem_kib) != 0)
        goto out;
    srv = pool != NULL ? gk_server_new(base, cfg, pool) : NULL;
    if (srv == NULL || gk_server_listen(srv) != 0)
        goto out;
    gk_pool_start(pool);
    if (!cfg->read_only)
        gk_listener_start(listener); /* LISTEN is refused during recovery */
    sigterm = evsignal_new(base, SIGTERM, on_signal, srv);
    sigint = evsignal_new(base, SIGINT, on_signal, srv);
    if (sigterm == NULL || sigint == NULL || evsignal_add(sigterm, NULL) != 0 || evsignal_add(sigint, NULL) != 0)
        goto out;
    event_base_dispatch(base);
    gk_log_info("stopped");
    rc = 0;
out:
    if (sigterm != NULL)
        event_free(sigterm);
    if (sigint != NULL)
        event_free(sigint);
    /* Stopping already (event_free restored the default actions): a repeated
     * signal must not turn exit 0 into a kill. */
    signal(SIGTERM, SIG_IGN);
    signal(SIGINT, SIG_IGN);
    gk_server_free(srv);
    gk_pw_stop();
    gk_changes_streams_shutdown(); /* their leases go back before the pool goes */
    gk_pool_free(pool);
    gk_readcache_free();
    gk_metrics_set_listener(NULL);
    gk_listener_free(listener);
    gk_log_detach();
    if (base != NULL)
        event_base_free(base);
    gk_townships_free(); /* the judgement's own copy (townships.h) */
    gk_routes_set_cache(NULL);
    gk_cache_free(cache);
    return rc;
}

int main(int argc, char **argv)
{
    gk_config cfg;
    char err[512];
    int rc = 2;
    if (gk_config_init(&cfg, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return 2;
    }
    /* Options first (--key=value or --key value), then the subcommand. */
    int i = 1;
    for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
        const char *arg = argv[i] + 2;
        if (strcmp(arg, "help") == 0) {
            gk_config_help(stdout);
            rc = 0;
            goto out;
        }
        char key[64];
        const char *eq = strchr(arg, '=');
        const char *val;
        snprintf(key, sizeof key, "%.*s", eq != NULL ? (int)(eq - arg) : (int)strlen(arg), arg);
        /* Known before taking a value: `--bogus` last is unknown, not valueless. */
        if (gk_config_find(key) == NULL) {
            fprintf(stderr, "未知选项 --%s（见 --help）\n", key);
            goto out;
        }
        if (eq != NULL) {
            val = eq + 1;
        } else {
            if (i + 1 >= argc) {
                fprintf(stderr, "选项 --%s 缺少值\n", key);
                goto out;
            }
            val = argv[++i];
        }
        if (gk_config_set(&cfg, key, val, err, sizeof err) != 0) {
            fprintf(stderr, "%s\n", err);
            goto out;
        }
    }
    if (i >= argc) {
        rc = serve(&cfg);
    } else if (strcmp(argv[i], "migrate") == 0) {
        PGconn *pg = gk_cli_connect(&cfg);
        rc = pg != NULL && gk_migrate(pg) == 0 ? 0 : 1;
        PQfinish(pg);
    } else if (strcmp(argv[i], "regions") == 0) {
        rc = gk_cli_regions(&cfg, argc - i - 1, argv + i + 1);
    } else if (strcmp(argv[i], "token") == 0) {
        rc = gk_cli_token(&cfg, argc - i - 1, argv + i + 1);
    } else if (strcmp(argv[i], "user") == 0) {
        rc = gk_cli_user(&cfg, argc - i - 1, argv + i + 1);
    } else if (strcmp(argv[i], "deadline") == 0) {
        rc = gk_cli_deadline(&cfg, argc - i - 1, argv + i + 1);
    } else {
        fprintf(stderr, "未知命令：%s（见 --help）\n", argv[i]);
    }
out:
    gk_config_free(&cfg);
    gk_sha256_cleanup();
    return rc;
}
