import { describe, expect, it } from "vitest";
import { runScript } from "./support/run-script.ts";

/** The chaos and soak scripts check their options before they create or start anything. */
describe("bad options to npm run chaos / npm run soak", () => {
  it.each([
    ["soak.ts", ["--minutes", "0"], /^soak: --minutes must be at least 1$/m],
    ["soak.ts", ["--rate", "fast"], /^soak: --rate must be a whole number$/m],
    ["soak.ts", ["--minuts", "5"], /^soak: Unknown option '--minuts'/m],
    ["chaos.ts", ["--deliveries", "-5"], /^chaos: Option '--deliveries' argument is ambiguous/m],
  ])("%s %j: one line naming the option, the usage, exit 2", async (script, args, message) => {
    const { code, output } = await runScript(script, args);
    expect(code, output).toBe(2);
    expect(output).toMatch(message);
    expect(output).toContain(`npm run ${script.replace(".ts", "")} -- [`);
    // Nothing was started: what it printed is the complaint and the usage, which ends the output.
    const usageAt = output.indexOf(`npm run ${script.replace(".ts", "")} -- [`);
    expect(output.slice(usageAt).trim().split("\n")).toHaveLength(2);
    expect(output.slice(0, usageAt)).not.toMatch(/Applied|migrat|database|process/i);
  });
});

/** The ingestion benchmark checks its options before it creates a database or starts a process. */
describe("bad options to npm run bench:ingest", () => {
  it.each([
    [["--workers", "0"], /^bench:ingest: --workers must be at least 1$/m],
    [["--ack-rounds", "many"], /^bench:ingest: --ack-rounds must be a whole number$/m],
    [["--pushes", "100", "--warmup-pushes", "60"], /^bench:ingest: --pushes and --warmup-pushes together must be at most 140 /m],
    [["--warmup"], /^bench:ingest: Unknown option '--warmup'/m],
  ])("%j: one line naming the option, the usage, exit 2, nothing created", async (args, message) => {
    const { code, output } = await runScript("bench-ingest.ts", args);
    expect(code, output).toBe(2);
    expect(output).toMatch(message);
    const usageAt = output.indexOf("npm run bench:ingest -- [");
    expect(usageAt, output).toBeGreaterThan(0);
    expect(output.slice(usageAt).trim().split("\n")).toHaveLength(2);
    expect(output).not.toContain("Sentinel ingestion benchmark");
  });
});

/** The detector fit checks its options and its corpus files before it scores anything. */
describe("bad input to npm run fit:detector", () => {
  it.each([
    [[], /^fit-detector: files: name at least one corpus file/m, 2],
    [["a.jsonl.gz", "--folds", "1"], /^fit-detector: folds: /m, 2],
    [["/definitely/not/here.jsonl.gz"], /^fit-detector: \/definitely\/not\/here\.jsonl\.gz: no such file$/m, 1],
  ])("%j: one line naming what is wrong, exit %s", async (args, message, exitCode) => {
    const { code, output } = await runScript("fit-detector.ts", args);
    expect(code, output).toBe(exitCode);
    expect(output).toMatch(message);
    expect(output).not.toContain("Leave-repositories-out");
  });
});
