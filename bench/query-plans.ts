import type postgres from "postgres";

/** A statement as postgres.js sent it (connectPostgres's `onQuery`), with the read that issued it. */
export interface CapturedStatement {
  label: string;
  query: string;
  parameters: readonly unknown[];
}

/** Collects the statements sent while `label` is set: wire it to connectPostgres({ onQuery: recorder.record }). */
export function createStatementRecorder() {
  const statements: CapturedStatement[] = [];
  let label: string | null = null;
  return {
    statements,
    record(query: string, parameters: readonly unknown[]) {
      if (label !== null) statements.push({ label, query, parameters: [...parameters] });
    },
    /** Runs `read`, recording what it sends under `name`. One read at a time: labels are not per connection. */
    async capture<T>(name: string, read: () => Promise<T>): Promise<T> {
      label = name;
      try {
        return await read();
      } finally {
        label = null;
      }
    },
  };
}

type PlanNode = { "Node Type"?: string; "Relation Name"?: string; Plans?: PlanNode[] };

/** Every relation the plan reads with a sequential scan (parallel or not), depth first. */
export function sequentialScans(plan: unknown): string[] {
  const found: string[] = [];
  const visit = (node: PlanNode) => {
    if (node["Node Type"]?.endsWith("Seq Scan") && node["Relation Name"]) found.push(node["Relation Name"]);
    for (const child of node.Plans ?? []) visit(child);
  };
  for (const entry of plan as { Plan: PlanNode }[]) visit(entry.Plan);
  return found;
}

/** EXPLAIN (FORMAT JSON) of a captured statement with its own parameters (the plan its execution would get). */
export async function explainStatement(sql: postgres.Sql, statement: CapturedStatement): Promise<unknown> {
  const [row] = await sql.unsafe(`explain (format json) ${statement.query}`, statement.parameters as postgres.ParameterOrJSON<never>[]);
  return (row as Record<string, unknown>)["QUERY PLAN"];
}

/** Only reads are explained: EXPLAIN of a write would plan it, and the dashboard's loaders write nothing else. */
export function isRead(statement: CapturedStatement): boolean {
  return /^\s*(select|with)\b/i.test(statement.query);
}
