/* net_cmd.h — what every network command shares: option parsing helpers,
 * opening the connection from flags/env/config, argument checks and the
 * uniform way of reporting a failure with its exit code. */
#ifndef GONGKAI_CLIENT_NET_CMD_H
#define GONGKAI_CLIENT_NET_CMD_H

#include <stdbool.h>
#include <stdio.h>
#include <jansson.h>
#include "net_config.h"
#include "net_http.h"

typedef struct gk_netcmd {
    gk_net_config cfg;
    gk_net *net;
} gk_netcmd;

/* Settles the configuration and starts curl.  Returns 0, or an exit code
 * after printing why (config refused → 2). */
int gk_netcmd_open(gk_netcmd *s, const gk_net_flags *fl);
void gk_netcmd_close(gk_netcmd *s);

/* Prints "gongkai: <message>" and returns the exit code for it: 1 for 404
 * (nothing there), else GK_EXIT_NET. */
int gk_netcmd_fail(const gk_net_error *err);
/* Same, the message prefixed with what failed (a file name). */
int gk_netcmd_fail_for(const char *what, const gk_net_error *err);

/* For getopt_long's '?': names the offending argument (never what follows
 * an '=', which could be a secret) and returns GK_EXIT_USAGE. */
int gk_netcmd_bad_option(char **argv, int optind_now);

/* Year GK_YEAR_MIN..GK_YEAR_MAX (gongkai/report.h); prints a message and returns -1 otherwise. */
int gk_netcmd_year(const char *s, int *year);
/* A region or entity code: 1 to 12 digits. Prints a message when not. */
bool gk_netcmd_code_ok(const char *code, const char *what);

/* The positional "CODE --year Y" of the region and entity commands: exactly
 * one code (what: 地区代码 / 单位代码) and a year.  Prints what is wrong (and
 * the usage) and returns GK_EXIT_USAGE, or 0 with *year set. */
int gk_netcmd_code_year(int argc, char **argv, int optind_now, const char *year_s,
                        const char *what, void (*usage)(FILE *), int *year);

/* GET path (relative to /api/v1, already escaped) as JSON. */
json_t *gk_netcmd_get(gk_netcmd *s, const char *path, gk_net_error *err);

/* Small JSON readers that tolerate absence. */
const char *gk_jstr(const json_t *o, const char *key, const char *dflt);
long long gk_jint(const json_t *o, const char *key, long long dflt);

/* "ok" → 无问题 …: the API's status/state words in Chinese. */
const char *gk_status_label(const char *status);

#endif
