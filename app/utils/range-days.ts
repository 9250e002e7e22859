import { z } from "zod";
import { DAY_MS } from "../../domain/metrics/time.ts";

/** The ranges the per-repository views offer, in days ending now (the services' clock). */
export const RANGE_DAYS = ["7", "30", "90", "365"] as const;
export const DEFAULT_RANGE_DAYS = 90;

/** `?days=7|30|90|365`; 90 days when the query does not say. */
export const rangeDaysQuery = z.object({
  days: z
    .enum(RANGE_DAYS, { message: "days is 7, 30, 90 or 365" })
    .default(String(DEFAULT_RANGE_DAYS) as (typeof RANGE_DAYS)[number])
    .transform(Number)
    .describe("Length of the range in days, ending now"),
});

/** The `days` before `now`, the end exclusive: the range a per-repository view reads. */
export function rangeEndingAt(now: Date, days: number): { from: Date; to: Date } {
  return { from: new Date(now.getTime() - days * DAY_MS), to: now };
}

/** The fields every per-repository view's answer gives its range by. */
export const rangeResponseFields = {
  from: z.iso.datetime().describe("Start of the range (inclusive), ISO 8601 in UTC"),
  to: z.iso.datetime().describe("End of the range (exclusive): now, ISO 8601 in UTC"),
  days: z.number().int().describe("Length of the range in days: 7, 30, 90 or 365"),
};

/** The range as the answers carry it. */
export function rangeResponse(range: { from: Date; to: Date }, days: number) {
  return { from: range.from.toISOString(), to: range.to.toISOString(), days };
}

/** The repository an answer is about, by id and name. */
export const repositoryRefSchema = z.strictObject({ id: z.uuid().describe("Repository id"), fullName: z.string().describe("owner/name") });

export function repositoryRef(repository: { id: string; fullName: string }): z.infer<typeof repositoryRefSchema> {
  return { id: repository.id, fullName: repository.fullName };
}
