import type { NextFunction, Request, RequestHandler, Response } from "express";
import { Redis } from "ioredis";
import ipaddr from "ipaddr.js";
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";
import { hashApiKey, isWellFormedApiKey } from "../application/access/api-keys.server.ts";
import type { Env } from "../infrastructure/config/env.ts";
import type { Logger } from "../infrastructure/logging/logger.ts";
import type { MatchedRoute } from "./route-matcher.ts";

const WINDOW_SECONDS = 60;

/**
 * The HTTP server's request budgets, each a fixed one-minute window. With REDIS_URL they are counted in Redis, so
 * every web process draws on one budget and a restart does not refill it; without, in this process's memory (the
 * single-process setup). A Redis outage falls back to the in-memory count instead of refusing or waving through.
 */
export interface RateLimits {
  /** Sign-in and GitHub App setup attempts, per client address. */
  signIn: RateLimiterAbstract;
  /** /api/v1 requests, per API key (by the key's hash: the same one the database stores). */
  apiKey: RateLimiterAbstract;
  /** /api/v1 requests without a valid key, per client address; every refused key is charged here too. */
  apiAnonymous: RateLimiterAbstract;
  store: "redis" | "memory";
  /**
   * Resolves once the Redis connection is up (at once in memory): until then requests are counted by the in-memory
   * insurance limiter, which starts from zero. Gives up quietly after `timeoutMs`; counting resumes in Redis when
   * the connection comes.
   */
  ready(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

type RateLimitSettings = Pick<Env, "REDIS_URL" | "REDIS_PREFIX" | "RATE_LIMIT_SIGN_IN_PER_MINUTE" | "RATE_LIMIT_API_PER_MINUTE" | "RATE_LIMIT_API_ANONYMOUS_PER_MINUTE">;

export function createRateLimits(env: RateLimitSettings, logger: Logger, options: { store?: "redis" | "memory" } = {}): RateLimits {
  const budgets = {
    signIn: env.RATE_LIMIT_SIGN_IN_PER_MINUTE,
    apiKey: env.RATE_LIMIT_API_PER_MINUTE,
    apiAnonymous: env.RATE_LIMIT_API_ANONYMOUS_PER_MINUTE,
  };
  const memory = (points: number) => new RateLimiterMemory({ points, duration: WINDOW_SECONDS });
  const store = options.store ?? (env.REDIS_URL ? "redis" : "memory");
  if (store === "memory" || !env.REDIS_URL) {
    return {
      signIn: memory(budgets.signIn),
      apiKey: memory(budgets.apiKey),
      apiAnonymous: memory(budgets.apiAnonymous),
      store: "memory",
      ready: async () => {},
      close: async () => {},
    };
  }
  // Like the lock's connection: a request must not wait on a Redis that is down, the insurance limiter answers.
  const client = new Redis(env.REDIS_URL, {
    enableOfflineQueue: false,
    connectTimeout: 500,
    commandTimeout: 1000,
    maxRetriesPerRequest: 1,
    connectionName: `${env.REDIS_PREFIX}-ratelimit`,
  });
  client.on("error", (error: Error) => logger.warn({ err: error }, "Redis connection error (rate limits count in memory meanwhile)"));
  const redis = (name: string, points: number) =>
    new RateLimiterRedis({
      storeClient: client,
      keyPrefix: `${env.REDIS_PREFIX}:ratelimit:${name}`,
      points,
      duration: WINDOW_SECONDS,
      insuranceLimiter: memory(points),
    });
  return {
    signIn: redis("signin", budgets.signIn),
    apiKey: redis("apikey", budgets.apiKey),
    apiAnonymous: redis("api-anonymous", budgets.apiAnonymous),
    store: "redis",
    ready(timeoutMs = 5_000) {
      if (client.status === "ready") return Promise.resolve();
      return new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          client.off("ready", done);
          resolve();
        };
        const timer = setTimeout(done, timeoutMs);
        client.once("ready", done);
      });
    },
    async close() {
      if (client.status === "ready") await client.quit().catch(() => client.disconnect());
      else client.disconnect();
    },
  };
}

/** Route ids whose requests spend the sign-in budget, and which methods: pages that only show a form are free. */
const SIGN_IN_ROUTES: Record<string, "writes" | "all"> = {
  "routes/login": "writes",
  "routes/auth.github": "all",
  "routes/auth.github.callback": "all",
  "routes/setup._index": "writes",
  "routes/setup.callback": "all",
};
const READ_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
const BEARER = /^Bearer\s+(\S+)$/i;

/**
 * Spends the request's budget before Remix sees it, by the route it reaches (so `/LOGIN/`, `/login.data` and
 * `/login` share one). Over budget: 429 with Retry-After in seconds and a body that says how long to wait.
 * `routeOf` reads what an earlier middleware matched.
 */
export function enforceRateLimits(limits: RateLimits, routeOf: (response: Response) => MatchedRoute | null): RequestHandler {
  return (request: Request, response: Response, next: NextFunction) => {
    const route = routeOf(response);
    if (!route) return next();
    const clientAddress = addressKeyOf(request.ip ?? request.socket.remoteAddress ?? "unknown");
    const signIn = SIGN_IN_ROUTES[route.id];
    if (signIn && (signIn === "all" || !READ_METHODS.has(request.method))) {
      limits.signIn.consume(clientAddress).then(
        () => next(),
        (rejection: unknown) => {
          if (!(rejection instanceof RateLimiterRes)) return next(rejection);
          const seconds = retryAfterSeconds(rejection);
          response
            .status(429)
            .set("Retry-After", String(seconds))
            .type("text/plain")
            .send(`Too many sign-in attempts from your address. Try again in ${seconds} seconds.`);
        },
      );
      return;
    }
    if (route.id.startsWith("routes/api.v1.")) {
      limitApiRequest(limits, request, response, clientAddress).then((allowed) => allowed && next(), next);
      return;
    }
    next();
  };
}

async function limitApiRequest(limits: RateLimits, request: Request, response: Response, clientAddress: string): Promise<boolean> {
  const token = BEARER.exec(request.headers.authorization?.trim() ?? "")?.[1];
  let spent: { budget: string; rejection: RateLimiterRes } | undefined;
  if (token !== undefined && isWellFormedApiKey(token)) {
    // A stream of made-up (but well-formed) keys would each get a fresh budget: an address whose refused keys used
    // up its anonymous budget is refused before any key of its is looked up.
    const refusals = await limits.apiAnonymous.get(clientAddress);
    if (refusals && refusals.consumedPoints >= limits.apiAnonymous.points) spent = { budget: ANONYMOUS_BUDGET, rejection: refusals };
    else {
      spent = await limits.apiKey.consume(hashApiKey(token)).then(
        () => undefined,
        (rejection: unknown) => ({ budget: "this API key", rejection: asRateLimitRejection(rejection) }),
      );
      response.on("finish", () => {
        if (response.statusCode === 401) limits.apiAnonymous.penalty(clientAddress).catch(() => undefined);
      });
    }
  } else {
    spent = await limits.apiAnonymous.consume(clientAddress).then(
      () => undefined,
      (rejection: unknown) => ({ budget: ANONYMOUS_BUDGET, rejection: asRateLimitRejection(rejection) }),
    );
  }
  if (!spent) return true;
  const seconds = retryAfterSeconds(spent.rejection);
  response
    .status(429)
    .set("Retry-After", String(seconds))
    .json({ error: `rate limit exceeded for ${spent.budget}: retry in ${seconds} seconds` });
  return false;
}

const ANONYMOUS_BUDGET = "requests from your address without a valid API key";

/** A limiter rejects with its result when the budget is spent; anything else is a failure to pass on. */
function asRateLimitRejection(rejection: unknown): RateLimiterRes {
  if (rejection instanceof RateLimiterRes) return rejection;
  throw rejection;
}

/**
 * The key an address is counted under. IPv6 clients usually get a whole /64 and can pick any address in it, so
 * they are counted per /64; IPv4-mapped IPv6 (`::ffff:203.0.113.9`) counts as the IPv4 address. Anything that is not
 * an address (a socket that has gone) is its own key.
 */
export function addressKeyOf(address: string): string {
  if (!ipaddr.isValid(address)) return address;
  const parsed = ipaddr.process(address);
  if (parsed.kind() === "ipv4") return parsed.toString();
  const network = (parsed as ipaddr.IPv6).parts.slice(0, 4).map((part) => part.toString(16));
  return `${network.join(":")}::/64`;
}

function retryAfterSeconds(rejection: RateLimiterRes): number {
  return Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
}
