/* readfile.h — whole-file reading for the client's commands. */
#ifndef GONGKAI_CLIENT_READFILE_H
#define GONGKAI_CLIENT_READFILE_H

#include <stddef.h>

/* Reads path ("-" = stdin) into a NUL-terminated malloc'd buffer; NULL with
 * errno set on failure.  Files over max_bytes fail with EFBIG. */
char *gk_read_file(const char *path, size_t max_bytes, size_t *len);

#endif
