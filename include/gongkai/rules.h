/* rules.h — the rules engine: judges a report against FORMAT.md §3.
 *
 * The report-only rules (structure.*, value.not_applicable and the sum rules
 * the registry lists) need nothing but the report.  The rules that need the
 * database (history, timeliness, narrative) take what they need through
 * gk_rules_context, which the daemon fills from PostgreSQL; a NULL context or
 * NULL members skip those rules. */
#ifndef GONGKAI_RULES_H
#define GONGKAI_RULES_H

#include <stdbool.h>
#include "gongkai/report.h"
#include "gongkai/findings.h"

typedef struct gk_rules_context {
    /* The same entity's current report of year - 1, or NULL (history.*). */
    const gk_report *previous;
    /* timeliness.late: the deadline "YYYY-MM-DD" (inclusive) and the date of
     * first submission "YYYY-MM-DD"; either NULL/"" skips the rule. */
    const char *deadline;
    const char *first_submitted;
} gk_rules_context;

/* Appends every applicable finding for r.  Parse findings are produced by
 * gk_report_parse; call this after it with the same list. */
void gk_rules_check(const gk_report *r, const gk_rules_context *ctx, gk_findings *out);

/* The parts, for callers that want only some. */
void gk_rules_structure(const gk_report *r, gk_findings *out);
void gk_rules_arithmetic(const gk_report *r, gk_findings *out);
/* Domain facts that need no statistics (docs/rules.md): a township-level
 * unit reporting 规章 made (domain.township_rules). */
void gk_rules_domain(const gk_report *r, gk_findings *out);
void gk_rules_history(const gk_report *r, const gk_report *previous, gk_findings *out);
void gk_rules_timeliness(const gk_report *r, const char *deadline, const char *first_submitted,
                         gk_findings *out);

/* 31 January of year + 1 ("YYYY-MM-DD"): 条例 art. 49's deadline, the
 * default where a region has not set its own. */
void gk_rules_default_deadline(int year, char out[11]);

/* One report's full offline judgement from text: parse (tolerant of numbers
 * out of range, gk_report_parse_tolerant) + rules.  Returns the report
 * (caller frees) or NULL with err filled. */
gk_report *gk_judge_text(const char *text, size_t len, const gk_rules_context *ctx,
                         gk_findings *out, gk_error *err);

#endif
