/* password.h — passwords of console users: Argon2id through libsodium's
 * crypto_pwhash_str (salted, memory-hard, its limits written into the
 * stored string), and the rules a name and a password must meet.  Shared by
 * `gongkaid user …` (cli_users.c) and the sign-in worker (pwhash_worker.c). */
#ifndef GONGKAID_PASSWORD_H
#define GONGKAID_PASSWORD_H

#include <stdbool.h>
#include <stddef.h>
#include <sodium.h>

#define GK_NAME_MAX 64          /* bytes of a user name */
#define GK_PASSWORD_MIN 8       /* characters (UTF-8 code points) */
#define GK_PASSWORD_MAX 1024    /* bytes: bounds the work of one hash */
#define GK_PWHASH_STRBYTES crypto_pwhash_STRBYTES

/* sodium_init once; 0 or -1. */
int gk_password_init(void) __attribute__((warn_unused_result));
/* NULL when acceptable, else the reason in Chinese (for the CLI and the API). */
const char *gk_user_name_problem(const char *name, size_t len);
const char *gk_password_problem(const char *pw, size_t len, const char *name);
/* Argon2id with opslimit ops and memlimit mem_kib KiB; 0 or -1 (out of memory). */
int gk_password_hash(char out[GK_PWHASH_STRBYTES], const char *pw, size_t len, unsigned long long ops,
                     size_t mem_kib) __attribute__((warn_unused_result));
/* true when pw matches stored (a crypto_pwhash_str string). */
bool gk_password_verify(const char *stored, const char *pw, size_t len);
/* true when stored was made with other limits than these (or is unreadable). */
bool gk_password_needs_rehash(const char *stored, unsigned long long ops, size_t mem_kib);

#endif
