import { readFile } from "node:fs/promises";
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
} from "../../../domain/detection/index.ts";
import { CliUsageError, parseCliArgs, describeZodError, parseWith, type CliCommand, type CliIo } from "../command.ts";

const usage = `Usage: sentinel eval <corpus.jsonl[.gz]> [--strip-markers] [--threshold 0.5] [--json]
                     [--only-repos a/b,c/d] [--skip-repos a/b,c/d]

Scores labelled commits (format: ../shared/corpus/README.md) with the detection engine.
  --strip-markers   remove every explicit agent marker first, to measure what the other signals catch
  --threshold       confidence at or above which a commit counts as AI (default 0.5)
  --json            print one JSON object: n, ai, human, threshold, tp, fp, tn, fn, precision, recall,
                    fpr, f1, auc, by_marker, by_signal
  --only-repos / --skip-repos   evaluate a subset of repositories (held-out checks)`;

const optionsSchema = z.object({
  path: z.string({ error: "missing <corpus.jsonl.gz> argument" }).min(1, "missing <corpus.jsonl.gz> argument"),
  stripMarkers: z.boolean(),
  threshold: z.coerce.number({ error: "expected a number from 0 to 1" }).min(0, "expected a number from 0 to 1").max(1, "expected a number from 0 to 1"),
  json: z.boolean(),
  onlyRepos: z.array(z.string()).nullable(),
  skipRepos: z.array(z.string()),
});

function repoList(value: string | undefined): string[] | null {
  if (value === undefined) return null;
  return value.split(",").map((repo) => repo.trim()).filter((repo) => repo.length > 0);
}

export async function readCorpus(path: string): Promise<CorpusExample[]> {
  let raw: Buffer;
  try {
    raw = await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CliUsageError(code === "ENOENT" ? `${path}: no such file` : `${path}: cannot read (${code ?? "error"})`);
  }
  let text: string;
  try {
    text = (raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw).toString("utf8");
  } catch {
    throw new CliUsageError(`${path}: not a valid gzip file`);
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

export function scoreCorpus(examples: readonly CorpusExample[], strip: boolean): ScoredExample[] {
  return examples.map((example) => {
    const commit = strip ? stripMarkers(example.commit) : example.commit;
    const result = analyzeCommit(commit, { commitOnly: true });
    return { label: example.label, confidence: result.confidence, marker: example.marker, signalIds: result.signals.map((signal) => signal.id) };
  });
}

function percent(value: number): string {
  return `${(value * 100).toFixed(1)} %`;
}

export function formatReport(report: EvaluationReport, stripped: boolean): string {
  const lines = [
    `${report.n} commits (${report.ai} ai, ${report.human} human), threshold ${report.threshold}${stripped ? ", markers stripped" : ""}`,
    `recall ${percent(report.recall)}  false-positive rate ${percent(report.fpr)}  precision ${percent(report.precision)}  F1 ${report.f1.toFixed(3)}  AUC ${report.auc.toFixed(3)}`,
    `tp ${report.tp}  fp ${report.fp}  tn ${report.tn}  fn ${report.fn}`,
    "",
    "recall by labelling marker:",
    ...Object.entries(report.by_marker).map(([marker, entry]) => `  ${marker.padEnd(26)} ${String(entry.n).padStart(5)}  ${percent(entry.recall)}`),
    "",
    "signals fired (ai / human, precision):",
    ...Object.entries(report.by_signal).map(
      ([id, entry]) => `  ${id.padEnd(26)} ${String(entry.fired_ai).padStart(5)} / ${String(entry.fired_human).padEnd(5)} ${percent(entry.precision)}`,
    ),
  ];
  return lines.join("\n");
}

export const evalCommand: CliCommand = {
  name: "eval",
  summary: "Score a labelled commit corpus with the detector (precision, recall, FPR, AUC)",
  usage,
  async run(args: string[], io: CliIo): Promise<number> {
    const parsed = parseCliArgs({
        args,
        allowPositionals: true,
        options: {
          "strip-markers": { type: "boolean", default: false },
          threshold: { type: "string", default: "0.5" },
          json: { type: "boolean", default: false },
          "only-repos": { type: "string" },
          "skip-repos": { type: "string" },
        },
      });
    if (parsed.positionals.length > 1) throw new CliUsageError(`expected one corpus file, got ${parsed.positionals.length}`);
    const options = parseWith(optionsSchema, {
      path: parsed.positionals[0],
      stripMarkers: parsed.values["strip-markers"],
      threshold: parsed.values.threshold,
      json: parsed.values.json,
      onlyRepos: repoList(parsed.values["only-repos"]),
      skipRepos: repoList(parsed.values["skip-repos"]) ?? [],
    });

    const all = await readCorpus(options.path);
    const skip = new Set(options.skipRepos);
    const only = options.onlyRepos ? new Set(options.onlyRepos) : null;
    const examples = all.filter((example) => !skip.has(example.repo) && (!only || only.has(example.repo)));
    if (examples.length === 0) throw new CliUsageError("no records left after --only-repos/--skip-repos");

    const report = evaluateDetections(scoreCorpus(examples, options.stripMarkers), options.threshold);
    io.stdout.write(`${options.json ? JSON.stringify(report) : formatReport(report, options.stripMarkers)}\n`);
    return 0;
  },
};
