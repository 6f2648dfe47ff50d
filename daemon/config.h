/* config.h — gongkaid's settings: one declarative table (key, environment
 * variable, type, default, bounds, doc), read from the environment and then
 * from --key=value flags.  `gongkaid --help` prints the table. */
#ifndef GONGKAID_CONFIG_H
#define GONGKAID_CONFIG_H

#include <stddef.h>
#include <stdio.h>

typedef struct gk_config {
    char *listen_address;
    long port;
    char *database;          /* libpq conninfo or URI; "" = the PG* variables */
    long pool_size;
    long pool_read_reserve;
    long queue_max;
    long max_body;
    long max_import;         /* POST /api/v1/import: documents (routes_import.c) */
    long max_headers;
    long io_timeout_ms;
    long request_timeout_ms;
    long max_connections;
    long reconnect_min_ms;
    long reconnect_max_ms;
    long connect_timeout_ms;
    long retry_after_s;
    long cache_entries;
    long cache_mb;
    long read_only;          /* 1: on a hot standby (docs/scaling.md) */
    long read_check_ms;      /* 0: every read validated in the database (readcache.h) */
    long db_prepare;         /* 1: statements prepared per connection (pgconn.h) */
    /* console sign-in (routes_session.c, docs/security.md) */
    long pwhash_ops;         /* Argon2id opslimit */
    long pwhash_mem_kib;     /* Argon2id memlimit, KiB */
    long pwhash_threads;     /* worker threads hashing off the event loop */
    long pwhash_queue;       /* sign-ins waiting for a worker; beyond: 503 */
    long session_idle_s;
    long session_max_s;
    long cookie_secure;      /* 1: behind TLS, the cookie gets Secure */
    long signin_name_failures;
    long signin_addr_failures;
    long signin_window_s;
    long trust_proxy;        /* 1: the client address is X-Real-IP (nginx) */
    /* the change feed's Server-Sent Events (changes_stream.h) */
    long changes_max_streams;
    long changes_heartbeat_ms;
    long changes_poll_ms;
    long changes_stream_max_s;
} gk_config;

typedef enum { GK_CFG_STRING, GK_CFG_INT } gk_config_type;

typedef struct gk_config_key {
    const char *key;         /* flag name: --listen-address */
    const char *env;         /* GK_LISTEN_ADDRESS */
    gk_config_type type;
    const char *def;         /* default, as text */
    long min, max;           /* GK_CFG_INT only, inclusive */
    size_t offset;           /* into gk_config */
    const char *doc;
} gk_config_key;

extern const gk_config_key gk_config_keys[];
extern const size_t gk_config_nkeys;

/* Defaults, then environment.  Returns 0, or -1 with a message in err. */
int gk_config_init(gk_config *c, char *err, size_t errlen) __attribute__((warn_unused_result));
/* The table's entry for a flag name ("port"), or NULL when there is none. */
const gk_config_key *gk_config_find(const char *key);
/* Applies one flag "key" with value; returns 0, 1 if key unknown, -1 bad value. */
int gk_config_set(gk_config *c, const char *key, const char *value, char *err, size_t errlen)
    __attribute__((warn_unused_result));
void gk_config_free(gk_config *c);
void gk_config_help(FILE *out);

#endif
