import { z } from "zod";
import type { LineContributor, LineRecord } from "./types.ts";

/**
 * Parsers for line-level authorship that tools store next to commits:
 * - git-ai authorship logs (git notes under refs/notes/ai): an attestation section of file paths, each
 *   followed by indented "<prompt-id> <ranges>" lines, then "---" and a JSON metadata block naming the
 *   agent per prompt id;
 * - Agent Trace records (spec v0.1): JSON with files → conversations → contributor + line ranges.
 * Both return [] for text they do not recognise rather than guessing.
 */

function parseRanges(text: string): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  for (const part of text.split(",")) {
    const match = /^\s*(\d+)(?:-(\d+))?\s*$/.exec(part);
    if (!match) continue;
    const start = Number(match[1]);
    const end = match[2] ? Number(match[2]) : start;
    if (end >= start) ranges.push([start, end]);
  }
  return ranges;
}

function unquote(path: string): string {
  const trimmed = path.trim();
  return trimmed.startsWith('"') && trimmed.endsWith('"') ? trimmed.slice(1, -1) : trimmed;
}

const gitAiMetadata = z.object({
  prompts: z.record(z.string(), z.object({ agent_id: z.object({ tool: z.string().optional(), model: z.string().optional() }).partial().optional() }).passthrough()).optional(),
}).passthrough();

export function parseGitAiNote(note: string): LineRecord[] {
  const divider = note.indexOf("\n---");
  const attestation = divider === -1 ? note : note.slice(0, divider);
  const agents = new Map<string, string>();
  if (divider !== -1) {
    try {
      const metadata = gitAiMetadata.safeParse(JSON.parse(note.slice(note.indexOf("\n", divider + 1) + 1)));
      for (const [id, prompt] of Object.entries(metadata.success ? (metadata.data.prompts ?? {}) : {})) {
        const agent = prompt.agent_id?.model ?? prompt.agent_id?.tool;
        if (agent) agents.set(id, agent);
      }
    } catch {
      // Metadata is optional context for the evidence text; the attestation lines alone are enough.
    }
  }
  const records: LineRecord[] = [];
  let path: string | null = null;
  for (const line of attestation.split("\n")) {
    if (line.trim().length === 0) continue;
    if (!/^\s/.test(line)) {
      path = unquote(line);
      continue;
    }
    const match = /^\s+(\S+)\s+([\d,\s-]+)$/.exec(line);
    if (!path || !match) continue;
    const ranges = parseRanges(match[2] ?? "");
    if (ranges.length === 0) continue;
    const id = match[1] ?? "";
    records.push({ source: "git-ai", path, contributor: "ai", agent: agents.get(id) ?? null, ranges });
  }
  return records;
}

const agentTraceSchema = z.object({
  files: z.array(
    z.object({
      path: z.string(),
      conversations: z.array(
        z.object({
          contributor: z.object({ type: z.enum(["human", "ai", "mixed", "unknown"]), model_id: z.string().optional() }).passthrough(),
          ranges: z.array(z.object({ start_line: z.number().int().positive(), end_line: z.number().int().positive() }).passthrough()),
        }).passthrough(),
      ),
    }).passthrough(),
  ),
}).passthrough();

export function parseAgentTrace(json: unknown): LineRecord[] {
  const parsed = agentTraceSchema.safeParse(json);
  if (!parsed.success) return [];
  const records: LineRecord[] = [];
  for (const file of parsed.data.files) {
    for (const conversation of file.conversations) {
      const type = conversation.contributor.type;
      if (type === "unknown") continue;
      const contributor: LineContributor = type;
      records.push({
        source: "agent-trace",
        path: file.path,
        contributor,
        agent: conversation.contributor.model_id ?? null,
        ranges: conversation.ranges.filter((range) => range.end_line >= range.start_line).map((range) => [range.start_line, range.end_line]),
      });
    }
  }
  return records;
}
