import { Writable } from "node:stream";
import { createLogger } from "../../infrastructure/logging/logger.ts";

/** A real Sentinel logger (createLogger) writing into memory, for tests that check what reaches the log. */
export function captureLogger(options: Parameters<typeof createLogger>[0] = {}) {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  const logger = createLogger({ level: "debug", ...options, destination });
  return {
    logger,
    /** Everything written so far. */
    text: () => chunks.join(""),
    /** One parsed object per JSON line. */
    lines: () =>
      chunks
        .join("")
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}
