/* log.c — stderr logging; one write per line so lines never interleave.
 *
 * Under systemd, stderr is a stream to journald, which stamps every line
 * itself and reads a "<N>" syslog priority prefix.  systemd tells us so by
 * JOURNAL_STREAM=<dev>:<inode> of that stream (systemd.exec(5)); we compare
 * it with our actual stderr, so a shell started from a unit that redirects
 * stderr elsewhere still gets timestamps. */
#include "log.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

bool gk_log_to_journal(void)
{
    static int cached = -1;
    if (cached < 0) {
        const char *js = getenv("JOURNAL_STREAM");
        unsigned long long dev = 0, ino = 0;
        struct stat st;
        cached = js != NULL && sscanf(js, "%llu:%llu", &dev, &ino) == 2 && fstat(STDERR_FILENO, &st) == 0 &&
                 (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
    }
    return cached == 1;
}

/* syslog(3) priorities: err 3, warning 4, info 6. */
static int priority(const char *level)
{
    if (strcmp(level, "error") == 0)
        return 3;
    if (strcmp(level, "warn") == 0)
        return 4;
    return 6;
}

void gk_log(const char *level, const char *fmt, ...)
{
    char line[2048];
    int n;
    if (gk_log_to_journal()) {
        n = snprintf(line, sizeof line, "<%d>%s ", priority(level), level);
    } else {
        struct timespec ts;
        struct tm tm;
        clock_gettime(CLOCK_REALTIME, &ts);
        gmtime_r(&ts.tv_sec, &tm);
        n = snprintf(line, sizeof line, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ %s ", tm.tm_year + 1900,
                     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000,
                     level);
    }
    va_list ap;
    va_start(ap, fmt);
    if (n > 0 && (size_t)n < sizeof line)
        vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
    va_end(ap);
    fprintf(stderr, "%s\n", line);
}
