/**
 * Plausible source code for the demo repositories, and the edits commits make to it. Files are line
 * arrays that remember when and by whom each line was added, so follow-up commits can rewrite recent
 * (often AI-written) lines: that is what gives the demo's churn and survival charts something to show.
 */
import type { AreaDef, CodeKind } from "./cast.ts";
import type { Random } from "./random.ts";

export interface SourceLine {
  text: string;
  /** Epoch ms the line was written; baseline lines predate the window. */
  addedAt: number;
  aiWritten: boolean;
  /** Shape flags, computed once when the line is written: edits scan files often. */
  replaceable: boolean;
  opensBlock: boolean;
  closesBlock: boolean;
}

export interface EditContext {
  random: Random;
  area: AreaDef;
  at: number;
  aiWritten: boolean;
}

const DAY_MS = 86_400_000;
const RECENT_MS = 14 * DAY_MS;

const VERBS = ["create", "update", "find", "list", "validate", "apply", "cancel", "resolve", "load", "sync", "compute", "normalize", "ensure", "record", "reconcile", "issue", "revoke", "verify", "expire", "refresh"] as const;
const FIELDS = ["id", "amount", "currency", "status", "customerId", "orderId", "expiresAt", "attempts", "reason", "total", "createdAt", "reference"] as const;
const DEPS = ["repo", "store", "provider", "client", "ledger", "queue"] as const;
const HELPERS = ["toMinorUnits", "clampRetries", "normalizeCurrency", "assertPositive", "withTimeout", "redact", "parseIsoDate", "roundHalfEven"] as const;
const PROBLEMS = ["not found", "already processed", "expired", "is not allowed", "mismatch", "limit exceeded"] as const;
const EVENTS = ["created", "failed", "retried", "skipped", "completed", "rejected"] as const;
const PHRASES = ["handled request", "retrying after provider timeout", "skipping duplicate", "state transition", "cache miss", "validation failed"] as const;
const LITERALS = ["0", "1", "3", "100", "true", "false", "null", '"EUR"', '"pending"', "5_000", "30_000"] as const;
const CLASSES = ["flex items-center gap-2", "rounded-lg border p-4", "grid grid-cols-2 gap-4", "text-sm text-gray-600", "space-y-3", "mt-6 flex justify-end"] as const;
const COMPONENTS = ["Badge", "PriceTag", "Spinner", "Alert", "Avatar", "Tooltip", "EmptyState"] as const;
const LABELS = ["Save", "Cancel", "Pay now", "Retry", "Continue", "Apply coupon", "Sign in"] as const;
const TEST_PHRASES = ["rejects an expired value", "is idempotent", "rounds half to even", "returns 404 for another tenant", "retries once on timeout", "keeps the original currency"] as const;
const GO_PKGS = ["money", "clock", "idgen", "retry"] as const;

export function pascal(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

function kebab(word: string): string {
  return word.replace(/([a-z])([A-Z])/g, "$1-$2").toLowerCase();
}

function snake(word: string): string {
  return word.replace(/([a-z])([A-Z])/g, "$1_$2").toLowerCase();
}

/** A file path for `noun` in `area`; `variant` distinguishes files created later. */
export function filePathFor(area: AreaDef, noun: string, variant: string | null): string {
  const v = variant ? `-${variant}` : "";
  switch (area.kind) {
    case "ts":
      return `${area.dir}/${kebab(noun)}${v}.ts`;
    case "tsx":
      return area.dir.endsWith("routes") ? `${area.dir}/${kebab(noun)}${v}.tsx` : `${area.dir}/${pascal(noun)}${variant ? pascal(variant) : "Panel"}.tsx`;
    case "ts-test":
      return `${area.dir}/${kebab(noun)}${v}.test.ts`;
    case "e2e":
      return `${area.dir}/${kebab(noun)}${v}.spec.ts`;
    case "go":
      return `${area.dir}/${snake(noun)}${variant ? `_${variant}` : ""}.go`;
    case "go-test":
      return `${area.dir}/${snake(noun)}${variant ? `_${variant}` : ""}_test.go`;
  }
}

export const FILE_VARIANTS = ["service", "store", "policy", "client", "handlers", "validation", "events", "limits"] as const;

function indentOf(text: string): string {
  return /^\s*/.exec(text)?.[0] ?? "";
}

class Writer {
  constructor(
    private readonly random: Random,
    private readonly area: AreaDef,
  ) {}

  noun(): string {
    return this.random.pick(this.area.nouns);
  }

  functionName(): string {
    return `${this.random.pick(VERBS)}${pascal(this.noun())}${this.random.chance(0.4) ? pascal(this.random.pick(FIELDS)) : ""}`;
  }

  header(): string[] {
    const r = this.random;
    const n = pascal(this.noun());
    switch (this.area.kind) {
      case "ts":
        return [
          'import { z } from "zod";',
          `import { logger } from "${this.area.dir.startsWith("src") ? "../lib" : "~/lib"}/logger.ts";`,
          `import { metrics } from "${this.area.dir.startsWith("src") ? "../lib" : "~/lib"}/metrics.ts";`,
          `import { ${n}Error } from "./errors.ts";`,
          "",
          `export const ${n}Input = z.object({ id: z.string(), ${r.pick(FIELDS)}: z.${r.pick(["string", "number"])}() });`,
          `export type ${n}Input = z.infer<typeof ${n}Input>;`,
        ];
      case "tsx":
        return [
          'import { useMemo, useState } from "react";',
          `import { ${r.pick(COMPONENTS)} } from "~/components/ui";`,
          `import { ${r.pick(HELPERS)} } from "~/lib/format";`,
          "",
          `type ${n}Props = { ${r.pick(FIELDS)}: string; ${r.pick(FIELDS)}?: number };`,
        ];
      case "ts-test":
        return [
          'import { describe, expect, it } from "vitest";',
          `import { build${n} } from "./fixtures.ts";`,
          `import * as subject from "../src/${this.random.pick(["payments", "auth", "routes"])}/${kebab(this.noun())}.ts";`,
        ];
      case "e2e":
        return ['import { expect, test } from "@playwright/test";'];
      case "go":
        return [
          `package ${this.area.dir.split("/").pop() ?? "ledger"}`,
          "",
          "import (",
          '\t"context"',
          '\t"fmt"',
          "",
          `\t"github.com/${"acme-demo"}/ledger-service/pkg/${r.pick(GO_PKGS)}"`,
          ")",
          "",
          `type ${n}Service struct {`,
          `\t${r.pick(DEPS)} ${n}Store`,
          "\tlog  Logger",
          "}",
        ];
      case "go-test":
        return [`package ${this.area.dir.split("/").pop() ?? "ledger"}`, "", "import (", '\t"context"', '\t"testing"', ")"];
    }
  }

  /** One single-line statement at `indent`, shaped for the file's language. */
  statement(indent: string, jsx: boolean): string {
    const r = this.random;
    const noun = this.noun();
    const x = `${noun}${pascal(r.pick(["", "Record", "Result", "Next", "Id"]))}`;
    const field = r.pick(FIELDS);
    if (jsx) {
      return (
        indent +
        r.pick([
          `<${r.pick(COMPONENTS)} ${field}={${x}} />`,
          `<p className="${r.pick(CLASSES)}">{${x}.${field}}</p>`,
          `<Button onClick={() => setOpen(${r.pick(["true", "false"])})}>${r.pick(LABELS)}</Button>`,
          `<span className="${r.pick(CLASSES)}">${pascal(noun)} ${r.pick(EVENTS)}</span>`,
        ])
      );
    }
    switch (this.area.kind) {
      case "go":
      case "go-test":
        return (
          indent +
          r.pick([
            `${x} := ${r.pick(GO_PKGS)}.${pascal(r.pick(HELPERS))}(req.${pascal(field)}, ${r.pick(LITERALS)})`,
            `s.log.Info("${r.pick(PHRASES)}", "${field}", req.${pascal(field)})`,
            `req.${pascal(field)} = ${r.pick(GO_PKGS)}.${pascal(r.pick(HELPERS))}(req.${pascal(field)})`,
            `defer s.metrics.Inc("${snake(noun)}_${r.pick(EVENTS)}")`,
            `${x} := s.${r.pick(DEPS)}.${pascal(r.pick(VERBS))}(ctx, req.${pascal(field)})`,
          ])
        );
      case "e2e":
        return (
          indent +
          r.pick([
            `await page.getByRole("button", { name: "${r.pick(LABELS)}" }).click();`,
            `await expect(page.getByText("${pascal(noun)} ${r.pick(EVENTS)}")).toBeVisible();`,
            `await page.getByLabel("${pascal(field)}").fill("${r.pick(["4242 4242 4242 4242", "alex@example.com", "10115"])}");`,
            `await page.waitForURL("**/${kebab(noun)}s/**");`,
          ])
        );
      case "ts-test":
        return (
          indent +
          r.pick([
            `const ${x} = await subject.${this.functionName()}(build${pascal(noun)}({ ${field}: ${r.pick(LITERALS)} }));`,
            `expect(${x}.${field}).toBe(${r.pick(LITERALS)});`,
            `expect(${x}).toMatchObject({ ok: ${r.pick(["true", "false"])} });`,
            `vi.advanceTimersByTime(${r.pick(["1_000", "30_000", "60_000"])});`,
          ])
        );
      default:
        return (
          indent +
          r.pick([
            `const ${x} = await ${r.pick(DEPS)}.${r.pick(VERBS)}${pascal(noun)}(input.${field});`,
            `const ${x} = ${r.pick(HELPERS)}(input.${field}, ${r.pick(LITERALS)});`,
            `if (!${x}) throw new ${pascal(noun)}Error("${noun} ${r.pick(PROBLEMS)}");`,
            `logger.${r.pick(["info", "warn", "debug"])}({ ${field}: input.${field} }, "${r.pick(PHRASES)}");`,
            `metrics.increment("${kebab(noun)}.${r.pick(EVENTS)}");`,
            `await ${r.pick(DEPS)}.save({ ...input, ${field}: ${r.pick(LITERALS)} });`,
            `const ${x} = input.${field} ?? ${r.pick(LITERALS)};`,
          ])
        );
    }
  }

  /** A whole top-level function (or test case), ending with its closing line. */
  block(name: string): string[] {
    const r = this.random;
    const n = pascal(this.noun());
    const body = (indent: string, count: number) => Array.from({ length: count }, () => this.statement(indent, false));
    switch (this.area.kind) {
      case "ts": {
        const lines = [`export async function ${name}(input: ${n}Input): Promise<${n}Result> {`, ...body("  ", r.int(2, 5))];
        if (r.chance(0.6)) {
          lines.push(`  if (input.${r.pick(FIELDS)} ${r.pick([">", "===", "!=="])} ${r.pick(LITERALS)}) {`, ...body("    ", r.int(1, 3)), "  }");
        }
        lines.push(...body("  ", r.int(0, 3)), `  return { ok: true, ${r.pick(FIELDS)}: input.${r.pick(FIELDS)} };`, "}");
        return lines;
      }
      case "tsx": {
        if (r.chance(0.3)) {
          return [`export async function loader({ params }: LoaderFunctionArgs) {`, ...body("  ", r.int(2, 4)), `  return json({ ${this.noun()}: ${this.noun()}Record });`, "}"];
        }
        const comp = pascal(name);
        return [
          `export function ${comp}({ ${r.pick(FIELDS)} }: ${n}Props) {`,
          `  const [open, setOpen] = useState(${r.pick(["false", "true"])});`,
          `  const ${this.noun()}Record = useMemo(() => ${r.pick(HELPERS)}(${r.pick(FIELDS)}), []);`,
          "  return (",
          `    <section className="${r.pick(CLASSES)}">`,
          `      <h2 className="text-sm font-medium text-gray-900">${n} ${r.pick(EVENTS)}</h2>`,
          ...Array.from({ length: r.int(1, 4) }, () => this.statement("      ", true)),
          "    </section>",
          "  );",
          "}",
        ];
      }
      case "ts-test":
        return [
          `describe("${name}", () => {`,
          `  it("${r.pick(TEST_PHRASES)}", async () => {`,
          ...body("    ", r.int(2, 4)),
          "  });",
          ...(r.chance(0.5) ? [`  it("${r.pick(TEST_PHRASES)}", async () => {`, ...body("    ", r.int(2, 3)), "  });"] : []),
          "});",
        ];
      case "e2e":
        return [`test("${kebab(name).replace(/-/g, " ")}", async ({ page }) => {`, `  await page.goto("/${kebab(this.noun())}");`, ...body("  ", r.int(2, 5)), "});"];
      case "go": {
        const fn = pascal(name);
        return [
          `func (s *${n}Service) ${fn}(ctx context.Context, req ${n}Request) (*${n}, error) {`,
          `\t${this.noun()}, err := s.${r.pick(DEPS)}.${pascal(r.pick(VERBS))}(ctx, req.${pascal(r.pick(FIELDS))})`,
          "\tif err != nil {",
          `\t\treturn nil, fmt.Errorf("${kebab(name).replace(/-/g, " ")}: %w", err)`,
          "\t}",
          ...body("\t", r.int(1, 4)),
          `\treturn &${n}{${pascal(r.pick(FIELDS))}: req.${pascal(r.pick(FIELDS))}}, nil`,
          "}",
        ];
      }
      case "go-test": {
        const fn = pascal(name);
        return [
          `func Test${fn}(t *testing.T) {`,
          "\tsvc := newTestService(t)",
          `\tgot, err := svc.${fn}(context.Background(), ${n}Request{${pascal(r.pick(FIELDS))}: ${r.pick(LITERALS)}})`,
          "\tif err != nil {",
          `\t\tt.Fatalf("${fn}: %v", err)`,
          "\t}",
          ...body("\t", r.int(0, 2)),
          "}",
        ];
      }
    }
  }
}

const BLOCK_START = /^(export (async )?function |func |describe\(|test\()/;

export interface Block {
  start: number;
  /** Index of the closing line. */
  end: number;
  name: string;
}

export function findBlocks(lines: readonly SourceLine[]): Block[] {
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as SourceLine;
    if (!line.opensBlock) continue;
    let end = i + 1;
    while (end < lines.length && !(lines[end] as SourceLine).closesBlock) end++;
    if (end >= lines.length) break;
    const name = /(?:function |func (?:\([^)]*\) )?|describe\("|test\(")([\w ]+)/.exec(line.text)?.[1] ?? "block";
    blocks.push({ start: i, end, name });
    i = end;
  }
  return blocks;
}

function isReplaceable(text: string): boolean {
  if (!/^\s+/.test(text)) return false;
  const t = text.trim();
  if (/^(return|if |for |\}|\)|it\(|describe|<\/|<section|<h2)/.test(t)) return false;
  // Go's `x, err := ...` is followed by its `if err != nil` check; rewriting it alone would orphan the check.
  if (t.includes("err :=")) return false;
  const open = (t.match(/\{/g) ?? []).length;
  const close = (t.match(/\}/g) ?? []).length;
  if (open !== close) return false;
  return t.endsWith(";") || t.endsWith(")") || t.endsWith("/>") || /<\/\w+>$/.test(t);
}

function toSource(texts: readonly string[], ctx: EditContext): SourceLine[] {
  return texts.map((text) => ({
    text,
    addedAt: ctx.at,
    aiWritten: ctx.aiWritten,
    replaceable: isReplaceable(text),
    opensBlock: BLOCK_START.test(text),
    closesBlock: text.startsWith("}"),
  }));
}

export function createFile(ctx: EditContext, blockCount: number): { lines: SourceLine[]; names: string[] } {
  const writer = new Writer(ctx.random, ctx.area);
  const texts = writer.header();
  const names: string[] = [];
  for (let i = 0; i < blockCount; i++) {
    const name = writer.functionName();
    names.push(name);
    texts.push("", ...writer.block(name));
  }
  return { lines: toSource(texts, ctx), names };
}

/** Inserts a new function after an existing one (or at the end). Returns its name. */
/**
 * An agent narrates the steps it writes, with an aside, a dash and a semicolon: the code-style tells the detector
 * reads (domain/detection/style.ts). With the message's own tells they make a commit whose trailer was stripped read
 * as AI-written by style alone — the demo's "unmarked" tool. Derived from the block's name, so no random draw moves.
 */
function agentComments(name: string): string[] {
  return [`  // Check the ${name} input first (e.g. a retried call) — the provider may have seen it already`, "  // Ensure the result is recorded once; callers retry on timeouts"];
}

/** A block as written: an agent's gets its narrating comments under the opening line. */
function writtenBlock(block: string[], name: string, ctx: EditContext): string[] {
  return ctx.aiWritten && block.length > 2 ? [block[0]!, ...agentComments(name), ...block.slice(1)] : block;
}

export function addBlock(lines: SourceLine[], ctx: EditContext): string {
  const writer = new Writer(ctx.random, ctx.area);
  const existing = new Set(findBlocks(lines).map((b) => b.name));
  let name = writer.functionName();
  for (let i = 0; i < 5 && existing.has(name); i++) name = writer.functionName();
  const blocks = findBlocks(lines);
  const after = blocks.length > 0 && ctx.random.chance(0.6) ? ctx.random.pick(blocks).end + 1 : lines.length;
  lines.splice(after, 0, ...toSource(["", ...writtenBlock(writer.block(name), name, ctx)], ctx));
  return name;
}

function pickBlock(lines: SourceLine[], ctx: EditContext, preferRecent: boolean): Block | null {
  const blocks = findBlocks(lines);
  if (blocks.length === 0) return null;
  return ctx.random.weighted(
    blocks.map((b) => {
      const recent = lines.slice(b.start, b.end + 1).filter((l) => ctx.at - l.addedAt < RECENT_MS).length;
      return [b, preferRecent ? 1 + recent * 3 : 1] as const;
    }),
  );
}

/** Keeps the signature, writes a new body: a rework of a function. Returns its name. */
export function rewriteBlock(lines: SourceLine[], ctx: EditContext, preferRecent: boolean): string | null {
  const block = pickBlock(lines, ctx, preferRecent);
  if (!block) return null;
  const writer = new Writer(ctx.random, ctx.area);
  const fresh = writtenBlock(writer.block(block.name), block.name, ctx).slice(1);
  lines.splice(block.start + 1, block.end - block.start, ...toSource(fresh, ctx));
  return block.name;
}

export function removeBlock(lines: SourceLine[], ctx: EditContext): string | null {
  const blocks = findBlocks(lines);
  if (blocks.length < 3) return null;
  const block = ctx.random.pick(blocks);
  const from = block.start > 0 && (lines[block.start - 1] as SourceLine).text === "" ? block.start - 1 : block.start;
  lines.splice(from, block.end - from + 1);
  return block.name;
}

/**
 * Replaces `count` single-line statements with one or two new ones each. With `preferRecent`, lines
 * written in the last 14 days are far likelier targets: follow-ups fix what was just written.
 * Returns the names of the functions touched.
 */
export function editStatements(lines: SourceLine[], ctx: EditContext, count: number, preferRecent: boolean): string[] {
  const writer = new Writer(ctx.random, ctx.area);
  const blocks = findBlocks(lines);
  const touched = new Set<string>();
  for (let n = 0; n < count; n++) {
    const candidates: (readonly [number, number])[] = [];
    lines.forEach((line, i) => {
      if (!line.replaceable) return;
      const recent = ctx.at - line.addedAt < RECENT_MS && line.addedAt < ctx.at;
      candidates.push([i, preferRecent && recent ? 12 : 1]);
    });
    if (candidates.length === 0) break;
    const index = ctx.random.weighted(candidates);
    const old = (lines[index] as SourceLine).text;
    const jsx = old.trim().startsWith("<");
    const original = lines[index] as SourceLine;
    const texts = Array.from({ length: ctx.random.chance(0.3) ? 2 : 1 }, () => writer.statement(indentOf(old), jsx));
    if (ctx.random.chance(0.15)) texts.length = 0;
    // An agent's first edit of the commit narrates itself, as its new blocks do (agentComments).
    if (ctx.aiWritten && n === 0 && texts.length > 0 && !jsx) texts.unshift(`${indentOf(old)}// Check the value first (e.g. after a retry) — callers may send it twice`);
    // Sometimes the old line stays and a new one joins it: an insertion, and the old line keeps its age.
    const replacement = ctx.random.chance(0.25) ? [original, ...toSource(texts, ctx)] : toSource(texts, ctx);
    lines.splice(index, 1, ...replacement);
    const block = blocks.find((b) => b.start <= index && index <= b.end);
    if (block) touched.add(block.name);
  }
  return [...touched];
}

export type { CodeKind };
