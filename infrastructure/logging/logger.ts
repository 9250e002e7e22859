import { pino, type Logger } from "pino";

export type { Logger };

/** Field names whose values never reach a log line, wherever they appear in a logged object. */
const REDACTED_PATHS = [
  "password",
  "secret",
  "token",
  "authorization",
  "cookie",
  "privateKey",
  "*.password",
  "*.secret",
  "*.token",
  "*.authorization",
  "*.cookie",
  "*.privateKey",
  "headers.authorization",
  "headers.cookie",
  'headers["x-hub-signature-256"]',
];

export function createLogger(options: { level?: string; name?: string } = {}): Logger {
  return pino({
    name: options.name ?? "sentinel",
    level: options.level ?? "info",
    redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}

/** For tests and library defaults: swallows everything. */
export const silentLogger: Logger = pino({ level: "silent" });
