/* session_parse.h — the outside data of sign-in, read without the
 * network or the database (so tests/fuzz/fuzz_signin.c can drive it): the
 * sign-in body, the session cookie among a Cookie header's pairs, and the
 * same-origin evidence of a write (Origin, Sec-Fetch-Site). */
#ifndef GONGKAID_SESSION_PARSE_H
#define GONGKAID_SESSION_PARSE_H

#include <stdbool.h>
#include <stddef.h>

#include "password.h"

#define GK_SESSION_COOKIE "gk_session"
#define GK_SESSION_ID_HEX 64           /* 32 random bytes, hex */

typedef struct gk_signin {
    char name[GK_NAME_MAX + 1];
    char pw[GK_PASSWORD_MAX + 1];
    size_t pw_len;
} gk_signin;

/* Reads {"name": "…", "password": "…"}.  0, or -1 with a Chinese reason
 * and the JSON path of the problem ("" for the whole body). */
int gk_signin_parse(const char *body, size_t len, gk_signin *out, const char **why, const char **path);
/* Copies the gk_session cookie's value (exactly 64 lowercase hex digits)
 * out of a Cookie header; false when there is none of that shape. */
bool gk_session_cookie(const char *cookie_header, char out[GK_SESSION_ID_HEX + 1]);
/* Same-origin evidence for a write carrying the session cookie: every
 * header present must say same origin (Sec-Fetch-Site: same-origin; Origin
 * equal to http(s):// + Host), and at least one must be present when
 * `required`.  Browsers send both on every cross-site write, and a page
 * cannot forge either. */
bool gk_same_origin(const char *origin, const char *sec_fetch_site, const char *host, bool required);

#endif
