/* signature.h — a report's prose as stored for narrative.similar: its
 * MinHash signature and LSH band keys as PostgreSQL bigint[] literals. */
#ifndef GONGKAID_SIGNATURE_H
#define GONGKAID_SIGNATURE_H

#include <stdint.h>
#include <libpq-fe.h>
#include "gongkai/narrative.h"
#include "gongkai/report.h"

/* 1: sig and bands set (malloc'd literals, sig_out filled when not NULL);
 * 0: prose too short to judge (*sig = "{}", *bands = NULL); -1: no memory. */
int gk_signature(const gk_report *r, const gk_names *names, uint64_t *sig_out, char **sig, char **bands)
    __attribute__((warn_unused_result));

/* Replaces the stored signature of (entity, year) by the current revision's. */
extern const char *const gk_sql_signature_upsert; /* $1 entity $2 year $3 revision $4 sig */
extern const char *const gk_sql_bands_insert;     /* $1 entity $2 year $3 bands */

/* Start-up: signatures for current reports stored before there were any
 * (or by an older daemon).  Blocking; 0 or -1. */
int gk_backfill_signatures(PGconn *pg, const gk_names *names) __attribute__((warn_unused_result));

#endif
