import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import { gunzipSync } from "node:zlib";
import { z } from "zod";
import {
  analyzeCommit,
  evaluateDetections,
  fromCorpusRecord,
  stripMarkers,
  type CorpusExample,
  type EvaluationReport,
  type ScoredExample,
} from "../../domain/detection/index.ts";
import { CliUsageError, describeZodError } from "../command.ts";
import { defineCommand } from "../define-command.ts";
import { createProgressReporter } from "../progress.ts";

const usage = `Usage: sentinel eval <corpus.jsonl[.gz]>... [--strip-markers] [--threshold 0.5] [--json]
                     [--only-repos a/b,c/d] [--skip-repos a/b,c/d]

Scores labelled commits with the detection engine. Each line of a corpus file is one GitHub "get a commit"
response plus the label fields "repo" (owner/name), "label" ("ai" or "human") and "marker" (the agent marker
that labelled an ai record, or null); "x_author_prev" ({sha, date} of the author's previous commit) is used if
present. Records of all the files given are scored together; every file is read and checked before scoring.
  --strip-markers   remove every explicit agent marker first, to measure what the other signals catch
  --threshold       confidence at or above which a commit counts as AI (default 0.5)
  --json            print one JSON object: n, ai, human, threshold, tp, fp, tn, fn, precision, recall, fpr, f1,
                    auc, by_marker, by_signal, by_file, by_repo, recall_at_fpr, threshold_at_fpr, calibration, ece
  --only-repos / --skip-repos   evaluate a subset of repositories (held-out checks)`;

const thresholdMessage = "expected a number from 0 to 1";

const optionsSchema = z.object({
  files: z
    .array(z.string().min(1))
    .min(1, "missing <corpus.jsonl.gz> argument")
    .superRefine((files, context) => {
      const twice = files.find((file, index) => files.indexOf(file) !== index);
      if (twice !== undefined) context.addIssue({ code: "custom", message: `${twice} is listed twice` });
    }),
  stripMarkers: z.boolean(),
  threshold: z.coerce.number({ error: thresholdMessage }).min(0, thresholdMessage).max(1, thresholdMessage),
  json: z.boolean(),
  onlyRepos: z.string().optional().transform(repoList),
  skipRepos: z.string().optional().transform((value) => repoList(value) ?? []),
});

function repoList(value: string | undefined): string[] | null {
  if (value === undefined) return null;
  return value.split(",").map((repo) => repo.trim()).filter((repo) => repo.length > 0);
}

function isGzip(raw: Buffer): boolean {
  return raw[0] === 0x1f && raw[1] === 0x8b;
}

/** Reads one corpus file (gzip or plain JSON lines); any problem is one line naming the file and, if known, the line. */
export async function readCorpus(path: string): Promise<CorpusExample[]> {
  let raw: Buffer;
  try {
    raw = await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new CliUsageError(`${path}: no such file`);
    if (code === "EISDIR") throw new CliUsageError(`${path}: is a directory, not a corpus file`);
    throw new CliUsageError(`${path}: cannot read (${code ?? "error"})`);
  }
  if (path.endsWith(".gz") && !isGzip(raw)) throw new CliUsageError(`${path}: not a gzip file`);
  let text: string;
  try {
    text = (isGzip(raw) ? gunzipSync(raw) : raw).toString("utf8");
  } catch (error) {
    const reason = error instanceof Error ? ` (${error.message})` : "";
    throw new CliUsageError(`${path}: not a valid gzip file${reason}`);
  }
  const examples: CorpusExample[] = [];
  const lines = text.split("\n");
  for (let index = 0; index < lines.length; index += 1) {
    const line = lines[index] ?? "";
    if (line.trim().length === 0) continue;
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch {
      throw new CliUsageError(`${path}:${index + 1}: not valid JSON`);
    }
    try {
      examples.push(fromCorpusRecord(record));
    } catch (error) {
      const reason = error instanceof z.ZodError ? describeZodError(error) : String(error);
      throw new CliUsageError(`${path}:${index + 1}: not a corpus record (${reason})`);
    }
  }
  if (examples.length === 0) throw new CliUsageError(`${path}: no records`);
  return examples;
}

/** The name a report gives each file: its basename, or the path as given where two basenames collide. */
function sourceNames(paths: readonly string[]): string[] {
  const counts = new Map<string, number>();
  for (const path of paths) counts.set(basename(path), (counts.get(basename(path)) ?? 0) + 1);
  return paths.map((path) => ((counts.get(basename(path)) ?? 0) > 1 ? path : basename(path)));
}

export interface SourcedExample extends CorpusExample {
  source: string;
}

const PROGRESS_EVERY = 100;

export function scoreCorpus(
  examples: readonly SourcedExample[],
  strip: boolean,
  onProgress?: (done: number, total: number) => void,
): ScoredExample[] {
  return examples.map((example, index) => {
    const commit = strip ? stripMarkers(example.commit) : example.commit;
    const result = analyzeCommit(commit, { commitOnly: true });
    if (onProgress && ((index + 1) % PROGRESS_EVERY === 0 || index + 1 === examples.length)) onProgress(index + 1, examples.length);
    return {
      label: example.label,
      confidence: result.confidence,
      marker: example.marker,
      signalIds: result.signals.map((signal) => signal.id),
      repo: example.repo,
      writtenLines: result.writtenLines,
      source: example.source,
    };
  });
}

function percent(value: number | null): string {
  return value === null ? "–" : `${(value * 100).toFixed(1)} %`;
}

function share(value: number): string {
  return (value * 100).toFixed(1);
}

function decimal(value: number | null): string {
  return value === null ? "–" : value.toFixed(3);
}

const LABEL_ORDER = { ai: 0, mixed: 1, human: 2 } as const;

export function formatReport(report: EvaluationReport, stripped: boolean): string {
  const files = Object.entries(report.by_file);
  const repos = Object.entries(report.by_repo).sort(
    ([nameA, a], [nameB, b]) => LABEL_ORDER[a.label] - LABEL_ORDER[b.label] || nameA.localeCompare(nameB),
  );
  const repoWidth = Math.max(10, ...repos.map(([repo]) => repo.length));
  const fileWidth = Math.max(4, ...files.map(([file]) => file.length));
  const lines = [
    `${report.n} commits (${report.ai} ai, ${report.human} human), threshold ${report.threshold}${stripped ? ", markers stripped" : ""}`,
    `recall ${percent(report.recall)}  false-positive rate ${percent(report.fpr)}  precision ${percent(report.precision)}  F1 ${report.f1.toFixed(3)}  AUC ${report.auc.toFixed(3)}`,
    `tp ${report.tp}  fp ${report.fp}  tn ${report.tn}  fn ${report.fn}`,
    `recall at false-positive rate ≤ ${Object.entries(report.recall_at_fpr)
      .map(([target, recall]) => `${percent(Number(target))}: ${percent(recall)} (≥ ${decimal(report.threshold_at_fpr[target] ?? null)})`)
      .join("  ")}`,
    "",
    `calibration (expected calibration error ${report.ece.toFixed(3)}):`,
    `  ${"bin".padEnd(8)} ${"n".padStart(6)}  mean confidence  ai fraction`,
    ...report.calibration.map(
      (bin) => `  ${bin.bin.padEnd(8)} ${String(bin.count).padStart(6)}  ${decimal(bin.mean_confidence).padStart(15)}  ${decimal(bin.ai_fraction).padStart(11)}`,
    ),
  ];
  if (files.length > 1) {
    lines.push("", `${"file".padEnd(fileWidth)}      n     ai  human  flagged  recall     FPR`);
    for (const [file, entry] of files) {
      lines.push(
        `${file.padEnd(fileWidth)} ${[entry.n, entry.ai, entry.human].map((count) => String(count).padStart(6)).join(" ")} ${String(entry.flagged).padStart(8)} ${percent(entry.recall).padStart(7)} ${percent(entry.fpr).padStart(7)}`,
      );
    }
  }
  lines.push(
    "",
    "recall by labelling marker:",
    ...Object.entries(report.by_marker).map(([marker, entry]) => `  ${marker.padEnd(26)} ${String(entry.n).padStart(5)}  ${percent(entry.recall)}`),
    "",
    "signals fired (ai / human, precision):",
    ...Object.entries(report.by_signal).map(
      ([id, entry]) => `  ${id.padEnd(26)} ${String(entry.fired_ai).padStart(5)} / ${String(entry.fired_human).padEnd(5)} ${percent(entry.precision)}`,
    ),
    "",
    `${"repository".padEnd(repoWidth)}  label      n  flagged    lines  AI share (range)`,
    ...repos.map(
      ([repo, entry]) =>
        `${repo.padEnd(repoWidth)}  ${entry.label.padEnd(5)} ${String(entry.n).padStart(6)} ${String(entry.flagged).padStart(8)} ${String(entry.lines_added).padStart(8)}  ${percent(entry.ai_share)} (${share(entry.ai_share_low)}–${percent(entry.ai_share_high)})`,
    ),
  );
  return lines.join("\n");
}

export const evalCommand = defineCommand({
  name: "eval",
  summary: "Score labelled commit corpora with the detector (precision, recall, FPR, AUC, calibration, AI share)",
  usage,
  flags: {
    "strip-markers": { type: "boolean", default: false },
    threshold: { type: "string", default: "0.5" },
    json: { type: "boolean", default: false },
    "only-repos": { type: "string" },
    "skip-repos": { type: "string" },
  },
  positionals: (files) => ({ files }),
  options: optionsSchema,
  async run(options, io) {
    // Every file is read and checked before anything is scored: a bad last file fails in a second, not after a minute.
    const reading = io.isTTY && options.files.length > 1 ? createProgressReporter(io, "reading") : null;
    const names = sourceNames(options.files);
    const all: SourcedExample[] = [];
    for (const [index, path] of options.files.entries()) {
      for (const example of await readCorpus(path)) all.push({ ...example, source: names[index] ?? path });
      reading?.update(index + 1, options.files.length);
    }
    reading?.done();

    const skip = new Set(options.skipRepos);
    const only = options.onlyRepos ? new Set(options.onlyRepos) : null;
    const examples = all.filter((example) => !skip.has(example.repo) && (!only || only.has(example.repo)));
    if (examples.length === 0) throw new CliUsageError("no records left after --only-repos/--skip-repos");

    const scoring = io.isTTY ? createProgressReporter(io, "scoring") : null;
    const scored = scoreCorpus(examples, options.stripMarkers, scoring ? (done, total) => scoring.update(done, total) : undefined);
    scoring?.done();

    const report = evaluateDetections(scored, options.threshold);
    io.stdout.write(`${options.json ? JSON.stringify(report) : formatReport(report, options.stripMarkers)}\n`);
    return 0;
  },
});
