#!/usr/bin/env node
// Runs after `npm install` / `npm ci` (package.json "postinstall"). Applies the fixes Sentinel needs in its
// dependencies and has not yet got from a release. Plain JavaScript with no imports outside Node, so it runs
// before anything else is built, also in `npm ci --omit=dev`. Idempotent: a patched file is left as it is.
// See docs/decisions/061-postgres-driver-closed-socket-patch.md.
import { readFileSync, writeFileSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const MARK = "sentinel-patch(postgres#1208)";

/**
 * postgres (postgres.js) 3.4.x: a write deferred with setImmediate can run after the connection closed and
 * `socket` was set to null, throwing a TypeError no caller can catch (the process dies); and the close handlers
 * clear that timer without forgetting it, so a connection that is written to after closing (a transaction's
 * ROLLBACK, a reserved connection) never flushes again and its queries wait forever; and a query issued between
 * the socket's 'error' and 'close' events is never settled. The fix (the first part as proposed upstream in
 * porsager/postgres#1168, #1176 and #1209): a write with no socket rejects its queries with CONNECTION_CLOSED,
 * teardown forgets the timer and the buffered bytes, and a close settles every query still pending and lets end()
 * finish instead of waiting out its timeout.
 */
const postgresPatch = {
  name: "postgres: settle writes on a closed connection (porsager/postgres#1208)",
  files: ["node_modules/postgres/src/connection.js", "node_modules/postgres/cjs/src/connection.js"],
  edits: [
    {
      find:
        "    nextWriteTimer === null && (nextWriteTimer = setImmediate(nextWrite))\n" +
        "    return true\n" +
        "  }\n" +
        "\n" +
        "  function nextWrite(fn) {\n" +
        "    const x = socket.write(chunk, fn)\n",
      replace:
        // The deferred call says so (setImmediate passes it), see below.
        `    nextWriteTimer === null && (nextWriteTimer = setImmediate(nextWrite, undefined, true)) // ${MARK}\n` +
        "    return true\n" +
        "  }\n" +
        "\n" +
        "  function nextWrite(fn, deferred) {\n" +
        `    if (!socket) { // ${MARK}: the connection closed before this write ran\n` +
        "      nextWriteTimer !== null && clearImmediate(nextWriteTimer)\n" +
        "      chunk = nextWriteTimer = null\n" +
        "      const err = Errors.connection('CONNECTION_CLOSED', options)\n" +
        "      error(err)\n" +
        "      query = null\n" +
        "      ended && (ended(), ending = ended = null)\n" +
        // It was put back in use after it closed (a released reservation, a transaction's end): hand it back to the
        // pool's closed connections, where the next query reconnects it, instead of leaving it in 'busy' for ever
        // (a lost pool slot each time). Called from a query's execute, the pool moves the connection once this
        // returns, so the hand-back waits a tick there; deferred, it happens now, before the next query is placed.
        "      const handBack = () => !socket && connection.queue !== queues.closed && connection.queue !== queues.connecting\n" +
        "        && connection.queue !== queues.ended && onclose(connection, err)\n" +
        "      deferred === true ? handBack() : setImmediate(handBack)\n" +
        "      return false\n" +
        "    }\n" +
        "    const x = socket.write(chunk, fn)\n",
    },
    {
      // terminate(): forget the cleared timer and the bytes meant for the old socket.
      find: "    clearImmediate(nextWriteTimer)\n    if (socket) {\n",
      replace: `    clearImmediate(nextWriteTimer) // ${MARK}\n    chunk = nextWriteTimer = null\n    if (socket) {\n`,
    },
    {
      // closed(): the same.
      find: "    clearImmediate(nextWriteTimer)\n    socket.removeListener('data', data)\n",
      replace: `    clearImmediate(nextWriteTimer) // ${MARK}\n    chunk = nextWriteTimer = null\n    socket.removeListener('data', data)\n`,
    },
    {
      // closed() after a socket error: the error handler settled the queries pending then, but a query issued
      // between the 'error' and 'close' events (a transaction's ROLLBACK) was left waiting for ever.
      find: "    !hadError && (query || sent.length) && error(Errors.connection('CONNECTION_CLOSED', options, socket))\n",
      // Then it forgets the settled query, which used to stay set until a ReadyForQuery that never comes, so
      // end() waited out its whole timeout for a connection that was already gone (the web's 5 s shutdown after
      // a PostgreSQL restart); an end() already waiting is told the connection is gone.
      replace:
        `    ;(query || sent.length) && error(Errors.connection('CONNECTION_CLOSED', options, socket)) // ${MARK}\n` +
        "    query = null\n" +
        "    ended && (ended(), ending = ended = null)\n",
    },
  ],
};

for (const patch of [postgresPatch]) {
  for (const relative of patch.files) {
    const file = join(root, relative);
    if (!existsSync(file)) continue;
    const source = readFileSync(file, "utf8");
    if (source.includes(MARK)) continue;
    const missing = patch.edits.filter((edit) => !source.includes(edit.find));
    if (missing.length > 0) {
      // A release changed this code (perhaps fixing it). Say so, but do not fail the install over it:
      // infrastructure/db/closed-connection.test.ts tells whether the driver still has the bug.
      console.error(`patch-dependencies: ${patch.name}: ${relative} no longer has the code this patch expects; review it`);
      continue;
    }
    writeFileSync(file, patch.edits.reduce((text, edit) => text.replace(edit.find, edit.replace), source));
    console.warn(`patch-dependencies: ${patch.name}: patched ${relative}`);
  }
}
