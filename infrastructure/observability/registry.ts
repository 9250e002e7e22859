/**
 * A small Prometheus registry: counters and histograms with labels, rendered in the text exposition format.
 * Sentinel needs a handful of series; this avoids a dependency and keeps label sets explicit.
 */

type Labels = Record<string, string>;

function labelKey(labels: Labels): string {
  return Object.keys(labels)
    .sort()
    .map((key) => `${key}="${escapeLabel(labels[key]!)}"`)
    .join(",");
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

function withLabels(name: string, key: string, extra?: string): string {
  const parts = [key, extra].filter(Boolean).join(",");
  return parts ? `${name}{${parts}}` : name;
}

export class Counter {
  private readonly values = new Map<string, number>();
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}

  inc(labels: Labels = {}, by = 1): void {
    const key = labelKey(labels);
    this.values.set(key, (this.values.get(key) ?? 0) + by);
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    for (const [key, value] of this.values) lines.push(`${withLabels(this.name, key)} ${value}`);
    return lines.join("\n");
  }
}

export const DEFAULT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

interface HistogramSeries {
  counts: number[];
  sum: number;
  count: number;
}

function sameLabels(a: Labels, b: Labels): boolean {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const key of keys) if (a[key] !== b[key]) return false;
  return true;
}

export class Histogram {
  private readonly series = new Map<string, HistogramSeries>();
  /** Label sets seen lately, by a key that is cheap to build (unsorted, unescaped); a hit is checked exactly. */
  private readonly recent = new Map<string, { labels: Labels; series: HistogramSeries }>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly buckets: number[] = DEFAULT_BUCKETS,
  ) {}

  observe(labels: Labels, seconds: number): void {
    // The label key is built (sorted, escaped) once per distinct label set, not once per observation (ADR 023).
    let cacheKey = "";
    for (const name in labels) cacheKey += `${name}\u0001${labels[name]}\u0000`;
    let entry = this.recent.get(cacheKey);
    if (entry === undefined || !sameLabels(entry.labels, labels)) {
      const key = labelKey(labels);
      let series = this.series.get(key);
      if (!series) {
        series = { counts: this.buckets.map(() => 0), sum: 0, count: 0 };
        this.series.set(key, series);
      }
      entry = { labels: { ...labels }, series };
      if (this.recent.size >= 1_000) this.recent.clear();
      this.recent.set(cacheKey, entry);
    }
    const series = entry.series;
    for (let index = 0; index < this.buckets.length; index += 1) if (seconds <= this.buckets[index]!) series.counts[index]! += 1;
    series.sum += seconds;
    series.count += 1;
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const [key, entry] of this.series) {
      this.buckets.forEach((bound, index) => {
        lines.push(`${withLabels(`${this.name}_bucket`, key, `le="${bound}"`)} ${entry.counts[index]}`);
      });
      lines.push(`${withLabels(`${this.name}_bucket`, key, 'le="+Inf"')} ${entry.count}`);
      lines.push(`${withLabels(`${this.name}_sum`, key)} ${entry.sum}`);
      lines.push(`${withLabels(`${this.name}_count`, key)} ${entry.count}`);
    }
    return lines.join("\n");
  }
}

/** A gauge whose values are read when scraped (queue depth, table counts). */
export function renderGauge(name: string, help: string, samples: Array<{ labels: Labels; value: number }>): string {
  const lines = [`# HELP ${name} ${help}`, `# TYPE ${name} gauge`];
  for (const sample of samples) lines.push(`${withLabels(name, labelKey(sample.labels))} ${sample.value}`);
  return lines.join("\n");
}

/** Per-process instruments, shared by the HTTP server and the job router. */
/**
 * Labelled by the route that answered (`/repos/:repoId`, `/healthz`, `static`, or `unmatched` for anything no route
 * answers), never by the URL: the label sets stay bounded whatever clients request (http-server.ts).
 */
export const httpRequestDuration = new Histogram(
  "sentinel_http_request_duration_seconds",
  "HTTP request latency by method, route pattern and status class.",
);
export const jobDuration = new Histogram("sentinel_job_duration_seconds", "Job run time by queue, job name and outcome.", [
  0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300,
]);
export const jobOutcomes = new Counter("sentinel_jobs_total", "Job runs by queue, job name and outcome (completed, failed, delayed).");
