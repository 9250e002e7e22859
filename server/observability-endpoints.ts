import { timingSafeEqual } from "node:crypto";
import { QUEUE_NAMES } from "../domain/ports.ts";
import { pendingMigrations } from "../infrastructure/db/migrate.ts";
import { checkHealth } from "./health.ts";
import type { Services } from "../application/services.ts";
import { httpRequestDuration, jobDuration, jobOutcomes, renderGauge } from "../infrastructure/observability/registry.ts";

export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, { ready: boolean; detail: string }>;
}

async function within<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Ready to take traffic: the database answers and has every migration this build knows, and the queue backend
 * answers and is configured not to lose jobs (Redis `maxmemory-policy noeviction`).
 */
export async function checkReadiness(services: Pick<Services, "database" | "queue">): Promise<ReadinessReport> {
  const database = await within(1_000, services.database.sql`select 1`).then(
    () => ({ ready: true, detail: services.database.kind === "embedded" ? "embedded PGlite answers" : "PostgreSQL answers" }),
    (error: unknown) => ({ ready: false, detail: (error as Error).message }),
  );
  const migrations = database.ready
    ? await within(1_000, pendingMigrations(services.database.sql)).then(
        (pending) =>
          pending.length === 0
            ? { ready: true, detail: "all migrations applied" }
            : { ready: false, detail: `${pending.length} migration(s) pending (${pending.join(", ")}): run sentinel migrate` },
        (error: unknown) => ({ ready: false, detail: (error as Error).message }),
      )
    : { ready: false, detail: "database unavailable" };
  const queue = await within(1_000, services.queue.readiness()).catch((error: unknown) => ({ ready: false, detail: (error as Error).message }));
  const checks = { database, migrations, queue };
  return { ready: Object.values(checks).every((check) => check.ready), checks };
}

/** Constant-time comparison of the scrape token (Authorization: Bearer <token>). */
export function metricsTokenMatches(header: string | undefined, expected: string): boolean {
  const presented = header?.startsWith("Bearer ") ? header.slice("Bearer ".length) : "";
  const a = Buffer.from(presented);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The answer to `GET /metrics`, for the web server and the worker's metrics listener alike: 404 while METRICS_TOKEN
 * is unset, 401 without the right bearer token, else the exposition text.
 */
export async function answerMetricsRequest(
  services: Pick<Services, "database" | "queue" | "env">,
  authorization: string | undefined,
): Promise<{ status: number; contentType: string; body: string }> {
  const token = services.env.METRICS_TOKEN;
  if (!token) return { status: 404, contentType: "text/plain", body: "Metrics are disabled: set METRICS_TOKEN to enable /metrics.\n" };
  if (!metricsTokenMatches(authorization, token)) return { status: 401, contentType: "text/plain", body: "Missing or wrong bearer token.\n" };
  return { status: 200, contentType: "text/plain; version=0.0.4", body: await renderMetrics(services) };
}

/**
 * The answer to an operator's `GET` of `/healthz`, `/readyz` or `/metrics` (null for any other path), for the web
 * server and the worker's metrics listener alike: the report as JSON, 503 when it is not healthy or ready.
 */
export async function answerOperatorRequest(
  services: Pick<Services, "database" | "queue" | "env">,
  path: string,
  authorization: string | undefined,
): Promise<{ status: number; contentType: string; body: string } | null> {
  if (path === "/healthz") {
    const report = await checkHealth(services);
    return { status: report.status === "ok" ? 200 : 503, contentType: "application/json", body: JSON.stringify(report) };
  }
  if (path === "/readyz") {
    const report = await checkReadiness(services);
    return { status: report.ready ? 200 : 503, contentType: "application/json", body: JSON.stringify(report) };
  }
  if (path === "/metrics") return answerMetricsRequest(services, authorization);
  return null;
}

/** Everything Prometheus scrapes: this process's instruments plus queue depth and delivery outcomes read now. */
export async function renderMetrics(services: Pick<Services, "database" | "queue">): Promise<string> {
  const depth: Array<{ labels: Record<string, string>; value: number }> = [];
  for (const queue of QUEUE_NAMES) {
    const counts = await services.queue.counts(queue).catch(() => null);
    if (!counts) continue;
    for (const [state, value] of Object.entries(counts)) depth.push({ labels: { queue, state }, value });
  }
  const deliveries = await services.database.sql<{ status: string; count: number }[]>`
    select status, count(*)::int as count from webhook_deliveries group by status`.catch(() => []);
  const notifications = await services.database.sql<{ kind: string; status: string; count: number }[]>`
    select c.kind, d.status, count(*)::int as count
    from alert_deliveries d join notification_channels c on c.id = d.channel_id
    group by c.kind, d.status`.catch(() => []);
  return [
    httpRequestDuration.render(),
    jobDuration.render(),
    jobOutcomes.render(),
    renderGauge("sentinel_queue_jobs", "Jobs per queue and state.", depth),
    renderGauge(
      "sentinel_webhook_deliveries",
      "Webhook deliveries recorded, by outcome.",
      deliveries.map((row) => ({ labels: { status: row.status }, value: row.count })),
    ),
    renderGauge(
      "sentinel_notification_deliveries",
      "Alert notifications by channel and outcome.",
      notifications.map((row) => ({ labels: { channel: row.kind, status: row.status }, value: row.count })),
    ),
    "",
  ].join("\n");
}
