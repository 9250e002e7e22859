import { z } from "zod";
import { AI_CONFIDENCE_THRESHOLD, analyzeCommit, type CommitAttribution, type NormalisedCommit } from "../../domain/detection/index.ts";
import { GitReadError, readGitCommits, type UnreadableCommit } from "../../infrastructure/git/git-log.ts";
import { CliUsageError } from "../command.ts";
import { defineCommand } from "../define-command.ts";
import { gitDirPositional } from "../options.ts";
import { reportLeftOutCommits } from "../progress.ts";

const usage = `Usage: sentinel analyze <git-dir> [--rev <range>] [--limit N] [--json]

Reads a local repository (working clone or bare) with git and prints, per commit, the AI confidence, the
strongest signals and the risky files. No database needed. A commit git cannot read (a missing object) is
left out and listed at the end; the exit code is non-zero only when no commit could be read.
  --rev     revision or range, e.g. main, v1.2..HEAD (default HEAD)
  --limit   newest N commits only
  --json    one JSON object per commit and line (the full attribution: signals, files, tiers, complexity)`;

const optionsSchema = z.object({
  dir: z.string({ error: "missing <git-dir> argument" }).min(1, "missing <git-dir> argument"),
  rev: z.string().min(1, "expected a revision").default("HEAD"),
  limit: z.coerce.number({ error: "expected a positive integer" }).int("expected a positive integer").positive("expected a positive integer").optional(),
  json: z.boolean(),
});

const PROGRESS_EVERY = 200;

function subject(message: string): string {
  return message.split("\n")[0]?.trim() ?? "";
}

function clip(text: string, width: number): string {
  return text.length > width ? `${text.slice(0, width - 1)}…` : text;
}

export function formatCommitRow(commit: NormalisedCommit, result: CommitAttribution): string {
  const lines = [`${commit.sha.slice(0, 10)}  ${result.confidence.toFixed(2)}  ${commit.author.date.slice(0, 16)}  ${clip(commit.author.name, 24)}  ${clip(subject(commit.message), 60)}`];
  for (const signal of result.signals.slice(0, 3)) lines.push(`    ${signal.id} (${signal.weight.toFixed(2)}): ${clip(signal.evidence, 110)}`);
  const risky = result.files.filter((file) => file.flagged || (file.riskTier >= 3 && file.aiConfidence >= AI_CONFIDENCE_THRESHOLD));
  for (const file of risky.slice(0, 5)) {
    lines.push(`    ${file.flagged ? "FLAGGED " : ""}T${file.riskTier} ${file.path} (+${file.linesAdded}, AI ${file.aiConfidence.toFixed(2)}; ${file.riskReasons[0] ?? ""})`);
  }
  if (risky.length > 5) lines.push(`    … ${risky.length - 5} more risky files`);
  return lines.join("\n");
}

export const analyzeCommand = defineCommand({
  name: "analyze",
  summary: "Attribute the commits of a local git repository (AI confidence, signals, risky files)",
  usage,
  flags: { rev: { type: "string" }, limit: { type: "string" }, json: { type: "boolean", default: false } },
  positionals: gitDirPositional,
  options: optionsSchema,
  async run(options, io) {
    let count = 0;
    let aiCount = 0;
    const unreadable: UnreadableCommit[] = [];
    try {
      for await (const commit of readGitCommits(options.dir, { rev: options.rev, limit: options.limit, onUnreadable: (commit) => unreadable.push(commit) })) {
        const result = analyzeCommit(commit);
        count += 1;
        if (result.confidence >= AI_CONFIDENCE_THRESHOLD) aiCount += 1;
        if (options.json) {
          io.stdout.write(`${JSON.stringify({ ...result, author: commit.author, committer: commit.committer, subject: subject(commit.message) })}\n`);
        } else {
          if (count === 1) io.stdout.write("sha         conf  authored          author                    subject\n");
          io.stdout.write(`${formatCommitRow(commit, result)}\n`);
        }
        if (count % PROGRESS_EVERY === 0) io.stderr.write(io.isTTY ? `\ranalyzed ${count} commits…` : `analyzed ${count} commits\n`);
      }
    } catch (error) {
      if (error instanceof GitReadError && error.code !== "GIT_FAILED") throw new CliUsageError(error.message);
      throw error;
    }
    if (io.isTTY && count >= PROGRESS_EVERY) io.stderr.write("\n");
    io.stderr.write(`${count} commits analyzed, ${aiCount} at or above ${AI_CONFIDENCE_THRESHOLD} AI confidence\n`);
    reportLeftOutCommits(io, "could not be read", unreadable);
    return count === 0 && unreadable.length > 0 ? 1 : 0;
  },
});
