import { z } from "zod";
import { fromGitHubCommit } from "./github.ts";
import type { NormalisedCommit } from "./types.ts";

/**
 * Records of the labelled corpus (ADR 011 lists its four files): GitHub's "get a commit" shape plus labels and
 * `x_` context. Only `x_author_prev` is used as context — it is what the ingestion will know too (the
 * author's previous commit). `x_on_default_branch` is deliberately not used: every human record is on the
 * default branch by construction, so it would measure the corpus, not the commits.
 */
export const corpusRecordSchema = z.object({
  repo: z.string(),
  label: z.enum(["ai", "human"]),
  marker: z.string().nullish(),
  x_author_prev: z.object({ sha: z.string().nullish(), date: z.string() }).nullish(),
});

export interface CorpusExample {
  repo: string;
  label: "ai" | "human";
  marker: string | null;
  commit: NormalisedCommit;
}

/** Throws a ZodError when the record lacks the label fields or the commit shape. */
export function fromCorpusRecord(record: unknown): CorpusExample {
  const labels = corpusRecordSchema.parse(record);
  const commit = fromGitHubCommit(record, { authorPreviousCommitAt: labels.x_author_prev?.date ?? null });
  return { repo: labels.repo, label: labels.label, marker: labels.marker ?? null, commit };
}
