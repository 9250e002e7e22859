/** Timing helpers the benchmarks share (scripts/bench.ts, scripts/bench-metrics.ts). */

export interface Timed<T> {
  value: T;
  wallSeconds: number;
  /** This process's CPU time (user + system): the machine may be shared, so wall time alone misleads. */
  cpuSeconds: number;
}

export async function measure<T>(run: () => Promise<T>): Promise<Timed<T>> {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const value = await run();
  const used = process.cpuUsage(cpu);
  return { value, wallSeconds: (performance.now() - started) / 1000, cpuSeconds: (used.user + used.system) / 1e6 };
}

/** Runs `run` over `items`, at most `limit` at a time (the way a queue with that worker concurrency would). */
export async function inParallel<T>(items: readonly T[], limit: number, run: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await run(items[next++]!);
    }),
  );
}

/** Nearest-rank percentile (0–100) of `values`; NaN for none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1]!;
}
