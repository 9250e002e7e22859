import { AsyncLocalStorage } from "node:async_hooks";
import { createRequire } from "node:module";
import { pino, type DestinationStream, type Logger } from "pino";
import type PinoPretty from "pino-pretty";
import { z } from "zod";
import type { Env } from "../config/env.ts";
import { createSecretScrubber } from "./redact.ts";

export type { Logger };

/**
 * Fields every log line carries while a unit of work runs: the request id while an HTTP request is handled, the queue,
 * job name and job id while a job runs. Handlers log through loggers made at start, so the fields travel with the
 * async context instead of through every function's arguments.
 */
export interface LogContext {
  requestId?: string;
  queue?: string;
  jobName?: string;
  jobId?: string;
}

const logContext = new AsyncLocalStorage<LogContext>();

/** Runs `work` with `fields` added to every line any Sentinel logger writes during it (nested contexts add up). */
export function withLogContext<T>(fields: LogContext, work: () => T): T {
  return logContext.run({ ...logContext.getStore(), ...fields }, work);
}

/** The configured secret values, so the logger can replace them even inside free text. */
export function configuredSecrets(env: Partial<Env>): string[] {
  const urlPassword = (url: string | undefined) => {
    try {
      return url ? decodeURIComponent(new URL(url).password) : undefined;
    } catch {
      return undefined;
    }
  };
  return [
    ...(env.sessionSecrets ?? []),
    env.GITHUB_APP_PRIVATE_KEY?.includes("-----BEGIN") ? env.GITHUB_APP_PRIVATE_KEY : undefined,
    env.GITHUB_WEBHOOK_SECRET,
    env.GITHUB_WEBHOOK_SECRET_PREVIOUS,
    env.GITHUB_CLIENT_SECRET,
    env.SLACK_BOT_TOKEN,
    env.RESEND_API_KEY,
    env.SENTINEL_SECRET_KEY,
    env.METRICS_TOKEN,
    urlPassword(env.DATABASE_URL),
    urlPassword(env.REDIS_URL),
  ].filter((secret): secret is string => Boolean(secret));
}

let secondStartMs = Number.NaN;
let secondPrefix = "";
/**
 * pino's `isoTime` (`,"time":"2026-01-01T00:00:00.000Z"`) without a `Date` and `toISOString` per line: the text up to
 * the second is made once a second, the milliseconds appended. The access log writes a line per request (ADR 023).
 */
export function isoTimestamp(): string {
  const now = Date.now();
  const intoSecond = now - secondStartMs;
  if (!(intoSecond >= 0 && intoSecond < 1000)) {
    secondStartMs = now - (now % 1000);
    secondPrefix = `,"time":"${new Date(secondStartMs).toISOString().slice(0, 20)}`;
  }
  const ms = now - secondStartMs;
  return `${secondPrefix}${ms < 10 ? "00" : ms < 100 ? "0" : ""}${ms}Z"`;
}

export type LogFormat = "json" | "pretty";

const logFormatSetting = z.preprocess((value) => (typeof value === "string" ? value.trim().toLowerCase() : value), z.enum(["json", "pretty"]));

/**
 * JSON lines for whatever reads the logs (a log shipper, `docker logs`, a file), readable lines for a person watching a
 * development terminal (issue 19: a first start showed only JSON). `LOG_FORMAT=json` or `pretty` decides outright; an
 * unknown value is ignored, since the choice only changes how lines look.
 */
export function chooseLogFormat(env: { LOG_FORMAT?: string; NODE_ENV?: string }, stdoutIsTTY: boolean): LogFormat {
  const setting = logFormatSetting.safeParse(env.LOG_FORMAT);
  if (setting.success) return setting.data;
  return stdoutIsTTY && env.NODE_ENV !== "production" ? "pretty" : "json";
}

/**
 * pino-pretty, loaded only when readable lines are wanted: production and piped output never load it. Synchronous, so a line
 * logged just before an exit is not lost; one line per entry, coloured when the terminal can show colours.
 */
function prettyDestination(): DestinationStream {
  const pretty = createRequire(import.meta.url)("pino-pretty") as typeof PinoPretty;
  return pretty({ sync: true, singleLine: true, translateTime: "SYS:HH:MM:ss.l", ignore: "pid,hostname,name" });
}

export interface LoggerOptions {
  level?: string;
  name?: string;
  /** Secret values to replace wherever they appear (`configuredSecrets(env)`). */
  secrets?: Iterable<string>;
  /** Where the JSON lines go; stdout by default. */
  destination?: DestinationStream;
  /** On stdout, JSON lines or readable ones; by default `chooseLogFormat(process.env, stdout is a terminal)`. */
  format?: LogFormat;
  /**
   * Collect stdout lines into writes of about 4 KB (and at least every 250 ms) instead of one write per line: for the
   * web server, whose access log writes a line per webhook delivery (ADR 023). Lines still in the buffer are written
   * on any exit the process sees; a SIGKILL or an out-of-memory kill loses at most the last 250 ms or 4 KB.
   */
  buffered?: boolean;
}

/**
 * Lines collect in memory and are written synchronously once 4 KB are waiting, or every 250 ms. Measured on the
 * access log line: pino's default stdout (an asynchronous write through the libuv thread pool) cost ~3.5 µs per
 * line on top of the ~3.3 µs of formatting it; this ~0.2 µs (ADR 023).
 */
function bufferedDestination(dest: number): DestinationStream {
  const destination = pino.destination({ dest, sync: true, minLength: 4096, periodicFlush: 250 });
  // pino flushes an asynchronous destination on exit by itself, not a synchronous one with a buffer.
  process.once("exit", () => {
    try {
      destination.flushSync();
    } catch {
      // stdout already closed: nothing more can be written anyway.
    }
  });
  return destination;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const scrubber = createSecretScrubber(options.secrets);
  const settings: pino.LoggerOptions = {
    name: options.name ?? "sentinel",
    level: options.level ?? "info",
    base: { pid: process.pid },
    timestamp: isoTimestamp,
    mixin: () => ({ ...logContext.getStore() }),
    // Every logged object (and the job / request fields) is scrubbed. Not a child logger's bindings: pino writes
    // those once, unformatted, so bind only names and ids (`child({ component })`), never configuration.
    formatters: { log: (object) => scrubber.scrubValue(object) as Record<string, unknown> },
    // The scrubber has already turned errors into plain objects; pino's own serializer would re-type them "Object".
    serializers: { err: (value: unknown) => value },
    hooks: {
      // The message (and any printf-style arguments) is not part of the object `formatters.log` sees.
      logMethod(args, method) {
        return method.apply(this, args.map((arg) => (typeof arg === "string" ? scrubber.scrubText(arg) : arg)) as Parameters<typeof method>);
      },
    },
  };
  if (options.destination) return pino(settings, options.destination);
  if ((options.format ?? chooseLogFormat(process.env, Boolean(process.stdout.isTTY))) === "pretty") return pino(settings, prettyDestination());
  if (options.buffered) return pino(settings, bufferedDestination(process.stdout.fd ?? 1));
  return pino(settings);
}

/** For tests and library defaults: swallows everything. */
export const silentLogger: Logger = pino({ level: "silent" });
