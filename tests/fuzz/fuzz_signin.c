/* fuzz_signin.c — libFuzzer target for what a client sends at sign-in and
 * with every session request (daemon/session_parse.c, daemon/password.c's
 * name and password rules): the first byte picks the reader, the rest is
 * its input.  Each must answer without reading out of bounds, and what it
 * accepts must meet the rules it promises (checked here). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "session_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    char *text = malloc(size);
    if (text == NULL)
        return 0;
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';
    size_t len = size - 1;
    switch (data[0] % 3) {
    case 0: {
        gk_signin in;
        const char *why = NULL, *path = NULL;
        if (gk_signin_parse(text, len, &in, &why, &path) == 0) {
            if (gk_user_name_problem(in.name, strlen(in.name)) != NULL || in.pw_len == 0 || in.pw_len > GK_PASSWORD_MAX)
                abort();
        } else if (why == NULL || path == NULL) {
            abort();
        }
        (void)gk_password_problem(text, len, "name");
        break;
    }
    case 1: {
        char sid[GK_SESSION_ID_HEX + 1];
        if (gk_session_cookie(text, sid) && (strlen(sid) != GK_SESSION_ID_HEX || strspn(sid, "0123456789abcdef") != GK_SESSION_ID_HEX))
            abort();
        break;
    }
    default: {
        /* "origin\nsec-fetch-site\nhost"; an empty field is an absent header */
        char *f[3] = {NULL, NULL, NULL};
        char *p = text;
        for (int i = 0; i < 3 && p != NULL; i++) {
            char *nl = strchr(p, '\n');
            if (nl != NULL)
                *nl = '\0';
            f[i] = *p != '\0' ? p : NULL;
            p = nl != NULL ? nl + 1 : NULL;
        }
        if (gk_same_origin(f[0], f[1], f[2], true) && f[0] == NULL && f[1] == NULL)
            abort();   /* no evidence must never pass when it is required */
        break;
    }
    }
    free(text);
    return 0;
}
