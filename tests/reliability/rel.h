/* rel.h — helpers shared by the reliability tests (on top of the
 * integration harness): raw sockets for malformed or slow HTTP, the
 * daemon's resident memory, a fingerprint of everything a refused request
 * must leave alone, tokens, and report variants of the sample. */
#ifndef GK_REL_H
#define GK_REL_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

#include "harness.h"

long rel_now_ms(void);
void rel_nap(int ms);

/* A loopback TCP connection to the daemon (blocking, with send/receive
 * timeouts of timeout_ms); -1 on failure. */
int rel_connect(const gk_h *h, int timeout_ms);
/* Sends len bytes (stops early if the server closes); then reads until the
 * server closes or timeout_ms passes (so the last request should say
 * Connection: close).  Returns the bytes read (malloc'd,
 * NUL-terminated, *out_len set) or NULL when nothing came back. */
char *rel_raw(const gk_h *h, const char *data, size_t len, int timeout_ms, size_t *out_len);
/* The status of the first response in a raw answer, or -1. */
int rel_status(const char *raw);
/* The error code of the first response's JSON body ("" when none). */
void rel_error_code(const char *raw, char *code, size_t len);

/* VmRSS of a process in KiB, -1 when unknown. */
long rel_rss_kb(int pid);

/* Counts and maxima of every table a request could change. malloc'd. */
char *rel_fingerprint(gk_h *h);

/* Imports tests/integration/fixtures/regions.csv. */
int rel_import_regions(gk_h *h);
/* `gongkaid token create`; the token into out. */
int rel_token(gk_h *h, const char *region, const char *role, char *out, size_t len);

/* The sample report with entity, year and one cell changed (so each value of
 * prior_items is distinct content).  malloc'd. */
char *rel_report(const char *entity, int year, long prior_items);

/* ASAN_OPTIONS for the daemon: a small quarantine, so RSS says something
 * about our memory rather than ASan's. */
void rel_asan_small_quarantine(void);

/* Prints the daemon log when failed or GK_SHOW_LOG is set, stops both, and
 * returns the process exit status. */
int rel_finish(gk_h *h, int failed);

#endif
