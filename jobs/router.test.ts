import { describe, expect, it } from "vitest";
import { z } from "zod";
import type { JobContext } from "../domain/ports.ts";
import { PermanentJobError } from "../infrastructure/queue/index.ts";
import { createJobRouter, defineJob } from "./router.ts";

function job(name: string, data: unknown): JobContext {
  return { id: "1", name, queue: "analysis", data, attemptsMade: 0, updateProgress: async () => {} };
}

describe("createJobRouter", () => {
  const seen: unknown[] = [];
  const router = createJobRouter("analysis", {
    "count-lines": defineJob({
      schema: z.object({ repoId: z.string().uuid(), limit: z.number().int().positive() }),
      async run(data) {
        seen.push(data);
        return data.limit * 2;
      },
    }),
  });

  it("hands parsed data to the handler named by the job", async () => {
    const repoId = "3f2c1a9e-8b7d-4c6e-9f10-2a3b4c5d6e7f";
    await expect(router(job("count-lines", { repoId, limit: 4 }))).resolves.toBe(8);
    expect(seen).toEqual([{ repoId, limit: 4 }]);
  });

  it("fails permanently, saying which field is wrong, when the data does not match the schema", async () => {
    const failure = router(job("count-lines", { repoId: "nope", limit: -1 }));
    await expect(failure).rejects.toBeInstanceOf(PermanentJobError);
    await expect(failure).rejects.toThrow(/repoId: .*; limit: /);
  });

  it("fails permanently on a job name nobody handles", async () => {
    await expect(router(job("mystery", {}))).rejects.toThrow('queue "analysis" has no handler for job "mystery"');
  });
});
