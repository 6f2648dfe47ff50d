/* townships.h — the registry's township-level names kept in memory for
 * narrative.foreign_entity and the masking of names in narrative.similar,
 * with the registry generation they were read at.  Every judgement first runs
 * gk_townships_sql with the loaded generation: it returns no row (and reads
 * nothing) while the registry is unchanged, and the whole list when a
 * `regions import` changed it, so new names apply from the next request on. */
#ifndef GONGKAID_TOWNSHIPS_H
#define GONGKAID_TOWNSHIPS_H

#include <libpq-fe.h>
#include "gongkai/narrative.h"

/* $1: the loaded generation (gk_townships_generation_text). */
extern const char *const gk_townships_sql;
/* The names in use; NULL before the first load. */
const gk_names *gk_townships(void);
const char *gk_townships_generation_text(void);
/* Installs the names from a gk_townships_sql result when it has rows; 0, or
 * -1 on a bad result (the old names stay). */
int gk_townships_update(PGresult *res);
/* Start-up: blocking load; 0 or -1 (message printed). */
int gk_townships_load(PGconn *pg);
void gk_townships_free(void);

#endif
