import { z } from "zod";

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
