/* auth.h — bearer tokens: how a token is made and hashed, and the
 * authentication step of a request (only the SHA-256 is ever stored). */
#ifndef GONGKAID_AUTH_H
#define GONGKAID_AUTH_H

#include <stddef.h>
#include "http.h"

/* SHA-256 of data as 64 lowercase hex digits plus NUL. */
void gk_sha256_hex(const void *data, size_t len, char out[65]);
/* A fresh random token "gk_" + 64 hex digits (getrandom); 0 or -1. */
int gk_token_generate(char out[68]) __attribute__((warn_unused_result));
/* Frees what gk_sha256_hex keeps between calls (at exit). */
void gk_sha256_cleanup(void);
/* Looks the request's bearer token up on r's lease (or in the read cache);
 * 401 or next(r, NULL). */
void gk_auth_run(gk_req *r, gk_req_step next);
/* The token's identity from the read cache (readcache.h) without the
 * database: true with r's token fields set; false when not known there. */
bool gk_auth_cached(gk_req *r);
gk_role gk_role_parse(const char *s);
/* A bearer token or a well-formed session cookie is present. */
bool gk_auth_has_credentials(gk_req *r);
/* The request proves it comes from our own pages (session_parse.h). */
bool gk_auth_same_origin(gk_req *r);

#endif
