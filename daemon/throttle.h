/* throttle.h — failed sign-ins counted per key ("n:" + user name, "a:" +
 * client address) in a fixed window, in this daemon's memory.  Bounded: a
 * fixed table; when it is full the oldest window in a key's neighbourhood
 * is forgotten first (docs/security.md names what that allows). */
#ifndef GONGKAID_THROTTLE_H
#define GONGKAID_THROTTLE_H

#include <stdbool.h>
#include <time.h>

/* Seconds to wait when key already has `limit` failures in its window
 * (the window's end); 0 when another attempt may be made now. */
long gk_throttle_wait(const char *key, time_t now, long limit, long window_s);
void gk_throttle_fail(const char *key, time_t now, long window_s);
/* Forgets key's failures (a successful sign-in of that name). */
void gk_throttle_clear(const char *key);

#endif
