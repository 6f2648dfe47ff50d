/* log.c — stderr logging, whole lines only, so lines never interleave.
 *
 * Inside the event loop, lines are gathered and written once per loop pass
 * (gk_log_attach): a polled read used to cost a write(2) of its own for its
 * request line — one system call in six on that path.  A line waits at most
 * until the loop has handled the events that were ready with it.
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
#include <errno.h>
#include <unistd.h>
#include <event2/event.h>

static struct {
    char buf[65536];
    size_t len;
    struct event *flush;     /* NULL: not attached, every line written at once */
} lb;

static void write_all(const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(STDERR_FILENO, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return;          /* nowhere to log to: nothing better to do */
        p += w;
        n -= (size_t)w;
    }
}

static void flush_now(void)
{
    write_all(lb.buf, lb.len);
    lb.len = 0;
}

static void on_flush(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    (void)arg;
    flush_now();
}

int gk_log_attach(struct event_base *base)
{
    lb.flush = event_new(base, -1, 0, on_flush, NULL);
    return lb.flush != NULL ? 0 : -1;
}

void gk_log_detach(void)
{
    flush_now();
    if (lb.flush != NULL)
        event_free(lb.flush);
    lb.flush = NULL;
}

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
    size_t len = strnlen(line, sizeof line - 1);
    line[len++] = '\n';
    if (lb.flush == NULL) {
        write_all(line, len);
        return;
    }
    if (lb.len + len > sizeof lb.buf)
        flush_now();
    /* Activated once per batch: runs after the events ready in this pass. */
    if (lb.len == 0)
        event_active(lb.flush, EV_TIMEOUT, 1);
    memcpy(lb.buf + lb.len, line, len);
    lb.len += len;
}
