import { randomUUID } from "node:crypto";
import http, { type IncomingMessage } from "node:http";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { createRequestHandler } from "@remix-run/express";
import type { ServerBuild } from "@remix-run/node";
import express, { type NextFunction, type Request, type Response } from "express";
import { GITHUB_WEBHOOK_PATH, serveGitHubWebhook } from "./node-webhook.ts";
import { withLogContext, type Logger } from "../infrastructure/logging/logger.ts";
import { answerOperatorRequest } from "./observability-endpoints.ts";
import { httpRequestDuration } from "../infrastructure/observability/registry.ts";
import { createRateLimits, enforceRateLimits, type RateLimits } from "./rate-limits.ts";
import { createRouteMatcher, type MatchedRoute } from "./route-matcher.ts";
import { cspNonceOf, securityHeaders } from "./security-headers.ts";
import type { Services } from "../application/services.ts";

const BUILD_PATH = path.resolve("build/index.js");

export async function loadRemixBuild(): Promise<ServerBuild> {
  try {
    return (await import(pathToFileURL(BUILD_PATH).href)) as ServerBuild;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ERR_MODULE_NOT_FOUND") {
      throw new Error(`No web build at ${BUILD_PATH}: run \`npm run build\` first (npm start does it for you).`);
    }
    throw error;
  }
}

/**
 * Rejects state-changing requests from other origins (a cross-site form POST carries the victim's cookie).
 * Webhooks and API calls with a bearer key are not cookie-authenticated and are exempt.
 */
export function rejectCrossOriginWrites(request: Request, response: Response, next: NextFunction): void {
  if (["GET", "HEAD", "OPTIONS"].includes(request.method)) return next();
  if (request.path.startsWith("/api/webhooks/") || request.headers.authorization?.startsWith("Bearer ")) return next();
  const origin = request.headers.origin;
  const fetchSite = request.headers["sec-fetch-site"];
  const host = request.headers["x-forwarded-host"] ?? request.headers.host;
  let sameOrigin: boolean;
  if (origin && origin !== "null") {
    try {
      sameOrigin = new URL(origin).host === host;
    } catch {
      sameOrigin = false;
    }
  } else {
    // No Origin header (old browsers, curl): fall back to Fetch Metadata when present.
    sameOrigin = fetchSite === undefined || fetchSite === "same-origin" || fetchSite === "none";
  }
  if (sameOrigin) return next();
  response.status(403).type("text/plain").send("Cross-origin request refused.");
}

/** A proxy's id is kept so lines can be matched across hops; anything odd (huge, control characters) is replaced. */
function requestIdFor(request: IncomingMessage): string {
  const offered = request.headers["x-request-id"];
  return typeof offered === "string" && REQUEST_ID_FORMAT.test(offered) ? offered : randomUUID();
}
const REQUEST_ID_FORMAT = /^[\w.:-]{1,128}$/;

/**
 * Metric labels are chosen from fixed sets, never copied from the request: a client picks its URL and method, and
 * every new label value would be a series /metrics keeps for the life of the process.
 */
const METHOD_LABELS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);
const UNMATCHED_ROUTE = "unmatched";
const OPERATOR_PATHS = ["/healthz", "/readyz", "/metrics"] as const;

/** What answered: set by the express handlers that are not Remix routes (static files, operator endpoints). */
function setRouteLabel(response: Response, label: string): void {
  response.locals.routeLabel = label;
}
const matchedRouteOf = (response: Response) => (response.locals.route as MatchedRoute | null | undefined) ?? null;

/** The access log line and the latency histogram: every request answered gets both, webhooks included. */
function recordRequest(logger: Logger, requestId: string, method: string, path: string, route: string, status: number, started: number): void {
  const durationMs = Math.round((performance.now() - started) * 10) / 10;
  httpRequestDuration.observe({ method, route, status: `${Math.floor(status / 100)}xx` }, durationMs / 1000);
  const fields = { requestId, method, path, status, durationMs };
  if (status >= 500) logger.error(fields, "request failed");
  else logger.info(fields, "request");
}

/**
 * What the HTTP server runs for each request. GitHub's deliveries — the server's busiest path — are answered here,
 * ahead of express, Remix and the static files (ADR 021): express's per-request work (its request and response
 * prototypes, query parsing, walking the middleware stack) was a fifth of a delivery's CPU (ADR 023). They get the
 * same request id, access log line and latency histogram as every other request; only the log lines written while a
 * delivery is handled carry the request id explicitly instead of through `withLogContext`.
 */
export function createRequestListener(services: Services, build: ServerBuild, rateLimits?: RateLimits): http.RequestListener {
  const app = createExpressApp(services, build, rateLimits);
  const webhooks = serveGitHubWebhook(services);
  const logger = services.logger.child({ component: "http" });
  return (request, response) => {
    if (request.method === "POST" && request.url === GITHUB_WEBHOOK_PATH) {
      const started = performance.now();
      const requestId = requestIdFor(request);
      webhooks(request, response, {
        requestId,
        answered: (status) => recordRequest(logger, requestId, "POST", GITHUB_WEBHOOK_PATH, GITHUB_WEBHOOK_PATH, status, started),
      });
      return;
    }
    app(request, response);
  };
}

/**
 * The express app behind the webhook fast path. `rateLimits` defaults to in-memory budgets of this app's own;
 * `startHttpServer` passes Redis-backed ones when REDIS_URL is set (and closes them).
 */
export function createExpressApp(
  services: Services,
  build: ServerBuild,
  rateLimits: RateLimits = createRateLimits(services.env, services.logger, { store: "memory" }),
): express.Express {
  const app = express();
  app.disable("x-powered-by");
  // Forwarded headers are believed only from as many proxies as the operator says there are (TRUST_PROXY_HOPS).
  app.set("trust proxy", services.env.trustProxyHops > 0 ? services.env.trustProxyHops : false);
  const logger = services.logger.child({ component: "http" });
  const matchRoute = createRouteMatcher(build.routes);

  app.use((request, response, next) => {
    const requestId = requestIdFor(request);
    response.setHeader("x-request-id", requestId);
    response.locals.route = matchRoute(request.path);
    const started = performance.now();
    response.on("finish", () => {
      if (request.path.startsWith("/build/") || request.path === "/favicon.ico") return;
      const route = (response.locals.routeLabel as string | undefined) ?? matchedRouteOf(response)?.pattern ?? UNMATCHED_ROUTE;
      const method = METHOD_LABELS.has(request.method) ? request.method : "other";
      recordRequest(logger, requestId, method, request.path, route, response.statusCode, started);
    });
    // Every line logged while this request is handled (loaders, actions) carries its id.
    withLogContext({ requestId }, next);
  });

  // Deliveries whose URL is spelled unusually (a query string, a trailing slash) come this way; the exact path is
  // answered before express (createRequestListener).
  const webhooks = serveGitHubWebhook(services);
  app.post(GITHUB_WEBHOOK_PATH, (request, response) => webhooks(request, response, {}));

  app.use(securityHeaders({ strictTransportSecurity: services.env.isProduction }));

  app.use("/build", express.static("public/build", { immutable: true, maxAge: "1y" }));
  app.use(express.static("public", { maxAge: "1h", setHeaders: (response) => setRouteLabel(response as Response, "static") }));

  app.get("/favicon.ico", (_request, response) => {
    response.status(204).end();
  });

  app.get([...OPERATOR_PATHS], async (request, response) => {
    // Express matches case-insensitively and with a trailing slash; the endpoint and the label take the canonical path.
    const path = OPERATOR_PATHS.find((known) => known === request.path.toLowerCase().replace(/\/$/, ""))!;
    setRouteLabel(response, path);
    const answer = (await answerOperatorRequest(services, path, request.headers.authorization))!;
    response.status(answer.status).type(answer.contentType).send(answer.body);
  });

  app.use(rejectCrossOriginWrites);
  app.use(enforceRateLimits(rateLimits, matchedRouteOf));
  app.all(
    "*",
    createRequestHandler({
      build,
      mode: services.env.isProduction ? "production" : "development",
      getLoadContext: (_request, response) => ({ services, cspNonce: cspNonceOf(response) }),
    }),
  );
  return app;
}

export interface RunningHttpServer {
  server: http.Server;
  url: string;
  /** Stops accepting connections, lets in-flight requests finish (up to the timeout), closes idle sockets. */
  close(timeoutMs?: number): Promise<void>;
}

export async function startHttpServer(services: Services, build: ServerBuild): Promise<RunningHttpServer> {
  const rateLimits = createRateLimits(services.env, services.logger.child({ component: "rate-limits" }));
  await rateLimits.ready();
  const app = createRequestListener(services, build, rateLimits);
  let closing = false;
  const server = http.createServer((request, response) => {
    // Once closing, every answer ends its connection: a keep-alive client (GitHub under load) would otherwise keep
    // sending on its open sockets and hold the shutdown until the timeout cut them mid-request.
    if (closing) response.setHeader("Connection", "close");
    app(request, response);
  });
  server.keepAliveTimeout = 65_000;
  // A request must arrive whole within 30 s (GitHub gives up on a delivery after 10 s): a client that declares a large
  // body and then dribbles it holds its share of the webhook body budget for that long at most, not Node's 300 s.
  server.headersTimeout = 30_000;
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(services.env.PORT, services.env.HOST, () => resolve());
  }).catch(async (error: unknown) => {
    await rateLimits.close();
    throw error;
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : services.env.PORT;
  const displayHost = services.env.HOST === "0.0.0.0" ? "localhost" : services.env.HOST;
  return {
    server,
    url: `http://${displayHost}:${port}`,
    close(timeoutMs = 10_000) {
      closing = true;
      const stopped = new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          server.closeAllConnections();
          resolve();
        }, timeoutMs);
        timer.unref();
        server.close(() => {
          clearTimeout(timer);
          resolve();
        });
        server.closeIdleConnections();
      });
      // The rate limits' Redis connection outlives the last request, not the server.
      return stopped.then(() => rateLimits.close());
    },
  };
}
