/**
 * Settings → Alert rules on the real PostgreSQL: the form is read through the domain schema (field errors, nothing
 * saved), saving leaves other settings alone, and the next evaluation uses what was saved.
 */
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_ALERT_SETTINGS } from "../../domain/alerts/settings.ts";
import { createTestDatabase, type TestDatabase } from "../../tests/support/database.ts";
import { createTestServices } from "../../tests/support/services.ts";
import { organizations } from "../../infrastructure/db/schema/index.ts";
import type { Services } from "../services.ts";
import { alertSettingsFromForm, readAlertSettings, saveAlertSettings } from "./alert-settings.server.ts";
import { evaluateRepositoryAlerts } from "./evaluate.ts";

let database: TestDatabase;
let services: Services;
let closeServices: () => Promise<void>;
let orgId: string;
let repoId: string;

beforeAll(async () => {
  database = await createTestDatabase();
  ({ services, close: closeServices } = await createTestServices(database));
  const sql = database.sql;
  orgId = (await sql<{ id: string }[]>`insert into organizations (slug, name, timezone, settings) values ('acme', 'Acme', 'UTC', ${JSON.stringify({ digest: "weekly" })}::jsonb) returning id`)[0]!.id;
  repoId = (await sql<{ id: string }[]>`insert into repositories (org_id, full_name, source) values (${orgId}, 'acme/api', 'local') returning id`)[0]!.id;
  // 95 of 100 critical lines AI-written in the week up to 2026-03-14.
  await sql`insert into repo_metrics (org_id, repo_id, date, lines_added, ai_lines_added, lines_by_tier, ai_lines_by_tier)
            values (${orgId}, ${repoId}, '2026-03-14', 100, 95, ${JSON.stringify({ t1: 0, t2: 0, t3: 0, t4: 100 })}::jsonb, ${JSON.stringify({ t1: 0, t2: 0, t3: 0, t4: 95 })}::jsonb)`;
});

afterAll(async () => {
  await closeServices?.();
  await database?.drop();
});

/** The form as the page sends it: every field, checkboxes only when ticked. */
function formOf(overrides: Record<string, string | null> = {}): URLSearchParams {
  const form = new URLSearchParams();
  for (const [rule, fields] of Object.entries(DEFAULT_ALERT_SETTINGS)) {
    for (const [field, value] of Object.entries(fields)) {
      const key = `${rule}.${field}`;
      const given = key in overrides ? overrides[key] : typeof value === "boolean" ? (value ? "on" : null) : String(value);
      if (given !== null && given !== undefined) form.set(key, given);
    }
  }
  return form;
}

async function save(overrides: Record<string, string | null>) {
  const { value, fieldErrors } = alertSettingsFromForm(formOf(overrides));
  return saveAlertSettings(services.db, orgId, value, fieldErrors);
}

const T0 = new Date("2026-03-15T09:00:00Z");
const evaluate = () =>
  evaluateRepositoryAlerts({ db: services.db, queue: services.queue, logger: services.logger, now: () => T0 }, { repoId, source: "compute-metrics-daily", period: "2026-03-14" });

describe("alert settings", () => {
  it("shows the defaults before anything is saved", async () => {
    expect(await readAlertSettings(services.db, orgId)).toEqual({ settings: DEFAULT_ALERT_SETTINGS, defaults: DEFAULT_ALERT_SETTINGS });
  });

  it("invalid values answer with a message per field and nothing is saved", async () => {
    const result = await save({
      "ai_code_critical.thresholdPercent": "150",
      "ai_code_critical.windowDays": "2.5",
      "ai_tax_high.humanRatio": "lots",
      "review_queue_saturated.maxWaiting": "",
      "high_risk_deployed.minAiConfidence": "1.5",
    });
    expect(result).toEqual({
      ok: false,
      code: "INVALID_INPUT",
      fieldErrors: {
        "ai_code_critical.thresholdPercent": "must be 0–100",
        "ai_code_critical.windowDays": "must be a whole number 1–90",
        "ai_tax_high.humanRatio": "enter a number",
        "review_queue_saturated.maxWaiting": "enter a number",
        "high_risk_deployed.minAiConfidence": "must be 0–1",
      },
    });
    expect((await readAlertSettings(services.db, orgId)).settings).toEqual(DEFAULT_ALERT_SETTINGS);
  });

  it("the next evaluation uses the saved threshold and switch; other settings stay", async () => {
    // 95 % is above the default 90 %, but not above a saved 96 %.
    expect(await save({ "ai_code_critical.thresholdPercent": "96" })).toMatchObject({ ok: true });
    expect((await evaluate()).candidates).not.toContain("ai_code_critical");

    // Above a saved 80 %, but the rule is switched off.
    expect(await save({ "ai_code_critical.thresholdPercent": "80", "ai_code_critical.enabled": null })).toMatchObject({ ok: true });
    expect((await readAlertSettings(services.db, orgId)).settings.ai_code_critical).toEqual({ enabled: false, thresholdPercent: 80, windowDays: 7, minLines: 20 });
    expect((await evaluate()).candidates).not.toContain("ai_code_critical");

    expect(await save({ "ai_code_critical.thresholdPercent": "80" })).toMatchObject({ ok: true });
    const result = await evaluate();
    expect(result.created.map((created) => created.rule)).toContain("ai_code_critical");
    const [alert] = await database.sql<{ details: { thresholdPercent: number; message: string } }[]>`select details from alerts where org_id = ${orgId} and rule = 'ai_code_critical'`;
    expect(alert!.details.thresholdPercent).toBe(80);
    expect(alert!.details.message).toBe("95 % of critical code was AI-written (threshold 80 %)");

    const [org] = await services.db.select({ settings: organizations.settings }).from(organizations).where(eq(organizations.id, orgId));
    expect(org!.settings.digest).toBe("weekly");
  });
});
