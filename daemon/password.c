/* password.c — see password.h.  Argon2id is chosen explicitly (not the
 * library's default algorithm of the day) so the stored strings and
 * docs/security.md stay in agreement; verify reads the algorithm and limits
 * from the stored string itself, so raising the limits later only makes
 * old hashes "need rehash" (done at the next successful sign-in). */
#include "password.h"

#include <string.h>

int gk_password_init(void) { return sodium_init() < 0 ? -1 : 0; }

/* Length in code points of valid UTF-8 without control characters; -1 otherwise. */
static long utf8_chars(const unsigned char *s, size_t len, bool allow_space)
{
    long n = 0;
    for (size_t i = 0; i < len; n++) {
        unsigned char c = s[i];
        size_t k;
        unsigned int cp;
        if (c < 0x80) {
            if (c < 0x20 || c == 0x7f || (!allow_space && c == ' '))
                return -1;
            i++;
            continue;
        } else if ((c & 0xe0) == 0xc0) {
            k = 1;
            cp = c & 0x1f;
        } else if ((c & 0xf0) == 0xe0) {
            k = 2;
            cp = c & 0x0f;
        } else if ((c & 0xf8) == 0xf0) {
            k = 3;
            cp = c & 0x07;
        } else {
            return -1;
        }
        if (i + k >= len)   /* the sequence needs bytes i+1 … i+k */
            return -1;
        for (size_t j = 1; j <= k; j++) {
            if ((s[i + j] & 0xc0) != 0x80)
                return -1;
            cp = (cp << 6) | (s[i + j] & 0x3f);
        }
        /* overlong forms, surrogates, beyond U+10FFFF, C1 controls */
        if ((k == 1 && cp < 0x80) || (k == 2 && cp < 0x800) || (k == 3 && cp < 0x10000) || cp > 0x10ffff ||
            (cp >= 0xd800 && cp <= 0xdfff) || (cp >= 0x80 && cp < 0xa0) || (!allow_space && (cp == 0x3000 || cp == 0xa0)))
            return -1;
        i += k + 1;
    }
    return n;
}

const char *gk_user_name_problem(const char *name, size_t len)
{
    if (name == NULL || len == 0)
        return "用户名不能为空";
    if (len > GK_NAME_MAX)
        return "用户名过长（至多 64 字节）";
    if (memchr(name, '\0', len) != NULL || utf8_chars((const unsigned char *)name, len, false) < 0)
        return "用户名只能由可见字符组成（不含空格、控制字符，须为 UTF-8）";
    return NULL;
}

const char *gk_password_problem(const char *pw, size_t len, const char *name)
{
    if (pw == NULL || len == 0)
        return "密码不能为空";
    if (len > GK_PASSWORD_MAX)
        return "密码过长（至多 1024 字节）";
    long n = memchr(pw, '\0', len) != NULL ? -1 : utf8_chars((const unsigned char *)pw, len, true);
    if (n < 0)
        return "密码含有控制字符或不是有效的 UTF-8";
    if (n < GK_PASSWORD_MIN)
        return "密码太短（至少 8 个字符）";
    if (name != NULL && strlen(name) == len && memcmp(name, pw, len) == 0)
        return "密码不能与用户名相同";
    return NULL;
}

int gk_password_hash(char out[GK_PWHASH_STRBYTES], const char *pw, size_t len, unsigned long long ops,
                     size_t mem_kib)
{
    return crypto_pwhash_str_alg(out, pw, len, ops, mem_kib * 1024, crypto_pwhash_ALG_ARGON2ID13) == 0 ? 0 : -1;
}

/* The stored text copied into libsodium's fixed-size buffer: the API reads
 * a NUL-terminated string of at most STRBYTES - 1 bytes. */
static bool stored_copy(char buf[GK_PWHASH_STRBYTES], const char *stored)
{
    size_t n = stored != NULL ? strlen(stored) : 0;
    if (n == 0 || n >= GK_PWHASH_STRBYTES)
        return false;
    memset(buf, 0, GK_PWHASH_STRBYTES);
    memcpy(buf, stored, n);
    return true;
}

bool gk_password_verify(const char *stored, const char *pw, size_t len)
{
    char buf[GK_PWHASH_STRBYTES];
    return stored_copy(buf, stored) && crypto_pwhash_str_verify(buf, pw, len) == 0;
}

bool gk_password_needs_rehash(const char *stored, unsigned long long ops, size_t mem_kib)
{
    char buf[GK_PWHASH_STRBYTES];
    return !stored_copy(buf, stored) || crypto_pwhash_str_needs_rehash(buf, ops, mem_kib * 1024) != 0;
}
