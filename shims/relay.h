/* The report relay (shims/relay.c): one process between the shims and the collector for a build.
 * In: shim connections on a Unix socket, each `<secret>\n<report>\n`. Out: the reports, batched one per
 * line into WebSocket text messages on one authenticated connection to the collector. */
#ifndef CONTINUITY_RELAY_H
#define CONTINUITY_RELAY_H

#include <stddef.h>

/* The name under which the shim binary is the relay (a hard link, like continuity-sh). */
#define RELAY_NAME "continuity-relay"

/* `continuity-relay <socket path>`, with CONTINUITY_ENDPOINT and CONTINUITY_SECRET in the environment:
 * listens on the socket (its directory must be private: owned by the user, no group or other access),
 * connects to the collector, prints `ready` on stdout, and forwards until its stdin ends or it gets
 * SIGTERM/SIGINT/SIGHUP; then it drains every connection, flushes, closes the WebSocket, prints one JSON
 * line of counts on stdout and exits 0. Exit 1 (one line on stderr) when it cannot start. */
int relay_main(int argc, char **argv);

/* Sends one report line (`line`, `n` bytes, ending with '\n') to the relay at `socket_path`, preceded by
 * the secret, and closes without waiting for an answer. Returns NULL when every byte was handed to the
 * relay, else why not (the caller then reports another way). Never raises SIGPIPE. */
const char *relay_send(const char *socket_path, const char *secret, const char *line, size_t n);

#endif
