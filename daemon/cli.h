/* cli.h — the blocking side of gongkaid: migrations and the admin
 * subcommands (regions, tokens, deadlines).  These run before the event
 * loop or instead of it, so plain blocking libpq is right here. */
#ifndef GONGKAID_CLI_H
#define GONGKAID_CLI_H

#include <libpq-fe.h>
#include "config.h"

/* Connects with the configured conninfo; NULL after printing why. */
PGconn *gk_cli_connect(const gk_config *cfg);
/* Applies every migration not yet recorded; 0 or -1 (message printed). */
int gk_migrate(PGconn *pg) __attribute__((warn_unused_result));
/* For a read-only database (a hot standby): 0 when every migration this
 * binary knows is recorded, -1 (message printed) otherwise. */
int gk_migrate_check(PGconn *pg) __attribute__((warn_unused_result));
int gk_cli_regions(const gk_config *cfg, int argc, char **argv);
int gk_cli_token(const gk_config *cfg, int argc, char **argv);
int gk_cli_deadline(const gk_config *cfg, int argc, char **argv);
/* Runs sql with text parameters; 0 (result in *out when out is not NULL,
 * the caller PQclears it) or -1 after printing the error. */
int gk_cli_exec(PGconn *pg, const char *sql, int n, const char *const *v, PGresult **out)
    __attribute__((warn_unused_result));
/* cli_users.c: console users (add|list|disable|passwd) */
int gk_cli_user(const gk_config *cfg, int argc, char **argv);

#endif
