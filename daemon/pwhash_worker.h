/* pwhash_worker.h — password checks off the event loop.  Argon2id costs
 * tens of milliseconds and 64 MiB by design; run in the loop it would stall
 * every other request for that long per sign-in.  A few worker threads
 * (--pwhash-threads) take jobs from a bounded queue (--pwhash-queue) and
 * hand each result back to the loop through a pipe the loop watches, so the
 * completion callback runs on the loop thread like any other event. */
#ifndef GONGKAID_PWHASH_WORKER_H
#define GONGKAID_PWHASH_WORKER_H

#include <stdbool.h>
#include <stddef.h>
#include <event2/event.h>

#include "password.h"

typedef struct gk_pw_job gk_pw_job;
/* On the loop thread; the job is freed right after it returns. */
typedef void (*gk_pw_done)(gk_pw_job *job, void *arg);

struct gk_pw_job {
    /* in */
    char stored[GK_PWHASH_STRBYTES];   /* "" : no such user (a dummy hash is checked, same cost) */
    char pw[GK_PASSWORD_MAX];
    size_t pw_len;
    /* out */
    bool ok;                           /* the password matched stored */
    char rehash[GK_PWHASH_STRBYTES];   /* non-empty: a new hash with today's limits */
    /* loop side */
    gk_pw_done done;                   /* NULL once abandoned */
    void *arg;
    gk_pw_job *next;
};

int gk_pw_start(struct event_base *base, int threads, int queue_max, unsigned long long ops, size_t mem_kib)
    __attribute__((warn_unused_result));
/* A new job (zeroed), or NULL (out of memory). */
gk_pw_job *gk_pw_job_new(void);
/* Queues job; 0, or -1 when the queue is full (the job is still yours). */
int gk_pw_submit(gk_pw_job *job, gk_pw_done done, void *arg) __attribute__((warn_unused_result));
/* The request went away: the result will be dropped (loop thread only). */
void gk_pw_abandon(gk_pw_job *job);
/* Frees a job never submitted. */
void gk_pw_job_free(gk_pw_job *job);
/* Joins the threads; queued jobs are dropped. */
void gk_pw_stop(void);

#endif
