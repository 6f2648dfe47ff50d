/* log.h — one line per event on stderr, with a timestamp and a level;
 * under journald a syslog priority prefix instead of the timestamp. */
#ifndef GONGKAID_LOG_H
#define GONGKAID_LOG_H

#include <stdbool.h>

struct event_base;

/* From now on lines are written once per pass of base's loop; 0 or -1. */
int gk_log_attach(struct event_base *base) __attribute__((warn_unused_result));
/* Writes what is pending and writes each line at once again. */
void gk_log_detach(void);

/* Is stderr journald's stream (JOURNAL_STREAM matches it)? */
bool gk_log_to_journal(void);
void gk_log(const char *level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define gk_log_info(...) gk_log("info", __VA_ARGS__)
#define gk_log_warn(...) gk_log("warn", __VA_ARGS__)
#define gk_log_error(...) gk_log("error", __VA_ARGS__)

#endif
