/**
 * Engine throughput on one core: scores the dev corpus repeatedly (full attribution: files, tiers,
 * complexity) and prints commits per second. Run: npx tsx scripts/bench-detection.ts [corpus] [--seconds 5]
 */
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { analyzeCommit, stripMarkers } from "../domain/detection/index.ts";
import { readCorpus } from "../cli/commands/eval.ts";

const { values, positionals } = parseArgs({ allowPositionals: true, options: { seconds: { type: "string", default: "5" } } });
const corpusPath = positionals[0] ?? resolve(import.meta.dirname, "../../shared/corpus/commits-dev.jsonl.gz");
const budgetMs = Number(values.seconds) * 1000;

const examples = await readCorpus(corpusPath);
const commits = examples.map((example) => example.commit);
const stripped = commits.map(stripMarkers);

function run(label: string, input: typeof commits, commitOnly: boolean): void {
  for (const commit of input.slice(0, 300)) analyzeCommit(commit, { commitOnly }); // warm-up
  let scored = 0;
  let checksum = 0;
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  while (performance.now() - started < budgetMs) {
    for (const commit of input) checksum += analyzeCommit(commit, { commitOnly }).confidence;
    scored += input.length;
  }
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuStarted);
  // CPU time as well as wall time: on a shared machine the wall-clock rate mostly measures the neighbours.
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const rate = (value: number) => Math.round(scored / value).toLocaleString("en-US").padStart(8);
  console.log(`${label.padEnd(36)} ${rate(seconds)} commits/s wall, ${rate(cpuSeconds)} per CPU-second  (${scored} commits in ${seconds.toFixed(1)} s, checksum ${checksum.toFixed(0)})`);
}

console.log(`${commits.length} corpus commits, ${budgetMs / 1000} s per run, one core`);
run("full attribution (files, tiers)", commits, false);
run("full attribution, markers stripped", stripped, false);
run("commit confidence only (eval)", commits, true);
