/* pwhash_worker.c — see pwhash_worker.h.  Ownership: a submitted job
 * belongs to the pool until the loop has delivered it (or dropped it when
 * abandoned); the worker touches only its in/out fields, the loop only its
 * loop-side fields, and the two meet under one mutex when the job changes
 * list.  The password is wiped (sodium_memzero) as soon as it was checked. */
#include "pwhash_worker.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


static struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_t *threads;
    int nthreads;
    gk_pw_job *queue, *queue_tail, *done;
    int queued, queue_max;
    bool stop;
    int pipe_r, pipe_w;
    struct event *ev;
    unsigned long long ops;
    size_t mem_kib;
    char dummy[GK_PWHASH_STRBYTES];    /* for names that do not exist; made once, by a worker */
} P = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER, .pipe_r = -1, .pipe_w = -1};
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

/* The dummy's password is random and thrown away: nothing matches it.  Made
 * on first need rather than at start-up, so a daemon start costs no hash. */
static void make_dummy(void)
{
    char rnd[32];
    randombytes_buf(rnd, sizeof rnd);
    if (gk_password_hash(P.dummy, rnd, sizeof rnd, P.ops, P.mem_kib) != 0)
        P.dummy[0] = '\0';   /* then verify fails at once: still no match */
    sodium_memzero(rnd, sizeof rnd);
}

gk_pw_job *gk_pw_job_new(void) { return calloc(1, sizeof(gk_pw_job)); }

void gk_pw_job_free(gk_pw_job *job)
{
    if (job == NULL)
        return;
    sodium_memzero(job->pw, sizeof job->pw);
    free(job);
}

static void work(gk_pw_job *job)
{
    if (job->stored[0] != '\0') {
        job->ok = gk_password_verify(job->stored, job->pw, job->pw_len);
        if (job->ok && gk_password_needs_rehash(job->stored, P.ops, P.mem_kib) &&
            gk_password_hash(job->rehash, job->pw, job->pw_len, P.ops, P.mem_kib) != 0)
            job->rehash[0] = '\0';
    } else {
        /* An unknown name costs what a known one does, so the time of the
         * answer does not tell which names exist (the very first one also
         * makes the dummy: once per daemon). */
        pthread_once(&dummy_once, make_dummy);
        (void)gk_password_verify(P.dummy, job->pw, job->pw_len);
        job->ok = false;
    }
    sodium_memzero(job->pw, sizeof job->pw);
}

static void *worker(void *unused)
{
    (void)unused;
    pthread_mutex_lock(&P.mu);
    for (;;) {
        while (!P.stop && P.queue == NULL)
            pthread_cond_wait(&P.cv, &P.mu);
        if (P.stop)
            break;
        gk_pw_job *job = P.queue;
        P.queue = job->next;
        if (P.queue == NULL)
            P.queue_tail = NULL;
        P.queued--;
        pthread_mutex_unlock(&P.mu);
        work(job);
        pthread_mutex_lock(&P.mu);
        job->next = P.done;
        P.done = job;
        /* one byte wakes the loop; a full pipe already has it awake */
        char b = 1;
        ssize_t w = write(P.pipe_w, &b, 1);
        (void)w;
    }
    pthread_mutex_unlock(&P.mu);
    return NULL;
}

static void on_wake(evutil_socket_t fd, short what, void *unused)
{
    (void)what;
    (void)unused;
    char buf[256];
    while (read(fd, buf, sizeof buf) > 0)
        ;
    pthread_mutex_lock(&P.mu);
    gk_pw_job *list = P.done;
    P.done = NULL;
    pthread_mutex_unlock(&P.mu);
    while (list != NULL) {
        gk_pw_job *job = list;
        list = job->next;
        if (job->done != NULL)
            job->done(job, job->arg);
        gk_pw_job_free(job);
    }
}

int gk_pw_start(struct event_base *base, int threads, int queue_max, unsigned long long ops, size_t mem_kib)
{
    if (gk_password_init() != 0)
        return -1;
    P.ops = ops;
    P.mem_kib = mem_kib;
    P.queue_max = queue_max;
    int fds[2];
    if (pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0)
        return -1;
    P.pipe_r = fds[0];
    P.pipe_w = fds[1];
    P.ev = event_new(base, P.pipe_r, EV_READ | EV_PERSIST, on_wake, NULL);
    if (P.ev == NULL || event_add(P.ev, NULL) != 0)
        return -1;
    P.threads = calloc((size_t)threads, sizeof *P.threads);
    if (P.threads == NULL)
        return -1;
    for (int i = 0; i < threads; i++) {
        if (pthread_create(&P.threads[i], NULL, worker, NULL) != 0)
            return -1;
        P.nthreads++;
    }
    return 0;
}

int gk_pw_submit(gk_pw_job *job, gk_pw_done done, void *arg)
{
    pthread_mutex_lock(&P.mu);
    if (P.stop || P.nthreads == 0 || P.queued >= P.queue_max) {
        pthread_mutex_unlock(&P.mu);
        return -1;
    }
    job->done = done;
    job->arg = arg;
    job->next = NULL;
    if (P.queue_tail != NULL)
        P.queue_tail->next = job;
    else
        P.queue = job;
    P.queue_tail = job;
    P.queued++;
    pthread_cond_signal(&P.cv);
    pthread_mutex_unlock(&P.mu);
    return 0;
}

void gk_pw_abandon(gk_pw_job *job)
{
    job->done = NULL;   /* loop-side field: read only by on_wake, on this thread */
}

void gk_pw_stop(void)
{
    pthread_mutex_lock(&P.mu);
    P.stop = true;
    pthread_cond_broadcast(&P.cv);
    pthread_mutex_unlock(&P.mu);
    for (int i = 0; i < P.nthreads; i++)
        pthread_join(P.threads[i], NULL);
    free(P.threads);
    P.threads = NULL;
    P.nthreads = 0;
    for (gk_pw_job *lists[2] = {P.queue, P.done}, **l = lists; l < lists + 2; l++)
        while (*l != NULL) {
            gk_pw_job *j = *l;
            *l = j->next;
            gk_pw_job_free(j);
        }
    P.queue = P.queue_tail = P.done = NULL;
    P.queued = 0;
    if (P.ev != NULL)
        event_free(P.ev);
    P.ev = NULL;
    if (P.pipe_r >= 0)
        close(P.pipe_r);
    if (P.pipe_w >= 0)
        close(P.pipe_w);
    P.pipe_r = P.pipe_w = -1;
    sodium_memzero(P.dummy, sizeof P.dummy);
}
