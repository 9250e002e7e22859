import { generateDemoDataset, type DemoDataset } from "./dataset/index.ts";
import type { CommitSource } from "../domain/ports.ts";

/** What the demo seeding stores in the organisation's settings, so the dataset can be regenerated exactly. */
export interface DemoSettings {
  seed: number;
  /** ISO timestamp the dataset was generated against ("now" at seeding time). */
  anchor: string;
  days: number;
}

interface CachedDataset {
  key: string;
  dataset: DemoDataset;
  bySha: Map<string, DemoDataset["commits"][number]>;
}

let cached: CachedDataset | undefined;

function load(settings: DemoSettings): CachedDataset {
  const key = `${settings.seed}|${settings.anchor}|${settings.days}`;
  if (cached?.key !== key) {
    const dataset = generateDemoDataset({ seed: settings.seed, now: new Date(settings.anchor), days: settings.days });
    cached = { key, dataset, bySha: new Map(dataset.commits.map((commit) => [commit.sha, commit])) };
  }
  return cached;
}

/** The generator is deterministic, so the demo's "GitHub API" is the dataset regenerated from its settings. */
export function demoDatasetFor(settings: DemoSettings): DemoDataset {
  return load(settings).dataset;
}

export function createDemoCommitSource(settings: DemoSettings): CommitSource {
  return {
    async getCommit(_repository, sha) {
      return load(settings).bySha.get(sha) ?? null;
    },
  };
}
