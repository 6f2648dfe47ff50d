/* randreport.h — random valid reports, deterministic from a seed, for the
 * round-trip proof of the renderer (issue 15 item 6): every cell a number,
 * 0, null or absent; amounts with up to six decimals; negative `change`;
 * prose of one to three lines (with characters HTML and XML must escape),
 * "" or absent; a publication date or none; a whole table sometimes absent.
 * The same seed gives the same report on every machine (xorshift64*, no
 * libc rand). */
#ifndef GONGKAI_TESTS_RANDREPORT_H
#define GONGKAI_TESTS_RANDREPORT_H

#include <stdint.h>
#include "gongkai/report.h"

/* A report of format f; *state advances (seed it with any non-zero value). */
gk_report *tr_random_report(const gk_format *f, uint64_t *state);

#endif
