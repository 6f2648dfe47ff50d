/* fuzz_framing.c — libFuzzer target for gongkaid's request framing checks
 * (daemon/framing.c): any header list, as evhttp would hand it over.
 *
 * The input is read as header lines "Name: value" separated by "\n";
 * evhttp_add_header refuses what evhttp's parser would never produce
 * (CR or LF inside), the rest goes to gk_framing_error, which must answer
 * without reading out of bounds, and must refuse several Content-Length. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/util.h>

#include "framing.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (text == NULL)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    struct evkeyvalq h;
    TAILQ_INIT(&h);
    int ncl = 0;
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
        char *colon = strchr(line, ':');
        if (colon == NULL)
            continue;
        *colon = '\0';
        const char *value = colon + 1;
        while (*value == ' ')
            value++;
        if (evhttp_add_header(&h, line, value) == 0 && evutil_ascii_strcasecmp(line, "Content-Length") == 0)
            ncl++;
    }
    const char *why = gk_framing_error(&h);
    if (ncl > 1 && why == NULL)
        abort();   /* several Content-Length must never pass */
    if (why != NULL && strlen(why) == 0)
        abort();
    evhttp_clear_headers(&h);
    free(text);
    return 0;
}
