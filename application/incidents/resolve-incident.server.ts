import { and, eq, isNull, sql } from "drizzle-orm";
import { z } from "zod";
import type { Executor } from "../../infrastructure/db/client.ts";
import { incidents } from "../../infrastructure/db/schema/index.ts";

/** Marks the organisation's incident resolved now; resolving twice keeps the first time. */
export async function resolveIncident(db: Executor, orgId: string, incidentId: string, now: Date): Promise<{ ok: true } | { ok: false; code: "INCIDENT_NOT_FOUND" }> {
  if (!z.string().uuid().safeParse(incidentId).success) return { ok: false, code: "INCIDENT_NOT_FOUND" };
  const [row] = await db
    .select({ id: incidents.id, resolvedAt: incidents.resolvedAt })
    .from(incidents)
    .where(and(eq(incidents.id, incidentId), eq(incidents.orgId, orgId)));
  if (!row) return { ok: false, code: "INCIDENT_NOT_FOUND" };
  await db
    .update(incidents)
    // An incident logged with a start in the future still resolves: never before it started (a table check).
    .set({ resolvedAt: sql`greatest(${now.toISOString()}::timestamptz, ${incidents.startedAt})` })
    .where(and(eq(incidents.id, incidentId), eq(incidents.orgId, orgId), isNull(incidents.resolvedAt)));
  return { ok: true };
}
