import { describe, expect, it } from "vitest";
import { Counter, Histogram, renderGauge } from "./registry.ts";

describe("Prometheus registry", () => {
  it("renders counters with escaped labels", () => {
    const counter = new Counter("things_total", "Things.");
    counter.inc({ queue: "analysis", reason: 'say "hi"' });
    counter.inc({ queue: "analysis", reason: 'say "hi"' }, 2);
    expect(counter.render()).toBe(
      ['# HELP things_total Things.', "# TYPE things_total counter", 'things_total{queue="analysis",reason="say \\"hi\\""} 3'].join("\n"),
    );
  });

  it("renders cumulative histogram buckets, sum and count", () => {
    const histogram = new Histogram("latency_seconds", "Latency.", [0.1, 1]);
    histogram.observe({ route: "/" }, 0.05);
    histogram.observe({ route: "/" }, 0.5);
    histogram.observe({ route: "/" }, 3);
    const text = histogram.render();
    expect(text).toContain('latency_seconds_bucket{route="/",le="0.1"} 1');
    expect(text).toContain('latency_seconds_bucket{route="/",le="1"} 2');
    expect(text).toContain('latency_seconds_bucket{route="/",le="+Inf"} 3');
    expect(text).toContain('latency_seconds_sum{route="/"} 3.55');
    expect(text).toContain('latency_seconds_count{route="/"} 3');
  });

  it("renders gauges read at scrape time", () => {
    expect(renderGauge("depth", "Depth.", [{ labels: { queue: "webhooks", state: "waiting" }, value: 4 }])).toContain(
      'depth{queue="webhooks",state="waiting"} 4',
    );
  });
});
