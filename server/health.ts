import type { Services } from "../application/services.ts";

export type DependencyState = "up" | "down";

export interface HealthReport {
  status: "ok" | "unavailable";
  checks: {
    database: { state: DependencyState; kind: string; latencyMs?: number; error?: string };
    queue: { state: DependencyState; kind: string; latencyMs?: number; error?: string };
  };
}

const CHECK_TIMEOUT_MS = 1_000;

async function timed(check: () => Promise<unknown>): Promise<{ state: DependencyState; latencyMs?: number; error?: string }> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    const outcome = await Promise.race([
      check(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
      }),
    ]);
    if (outcome === false) return { state: "down", error: "did not answer" };
    return { state: "up", latencyMs: Math.round((performance.now() - started) * 10) / 10 };
  } catch (error) {
    return { state: "down", error: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}

/** Each dependency answers within a second or counts as down: a health check must never hang. */
export async function checkHealth(services: Pick<Services, "database" | "queue">): Promise<HealthReport> {
  const [database, queue] = await Promise.all([
    timed(() => services.database.sql`select 1`),
    timed(() => services.queue.ping()),
  ]);
  const status = database.state === "up" && queue.state === "up" ? "ok" : "unavailable";
  return {
    status,
    checks: {
      database: { ...database, kind: services.database.kind === "embedded" ? "embedded PGlite" : "PostgreSQL" },
      queue: { ...queue, kind: services.queue.kind === "bullmq" ? "BullMQ on Redis" : "in-process" },
    },
  };
}
