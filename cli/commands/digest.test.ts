import { describe, expect, it } from "vitest";
import { bufferIo, useCliDatabase } from "../../tests/support/cli.ts";
import { fixedClock } from "../../tests/support/clock.ts";
import type { TestDatabase } from "../../tests/support/database.ts";
import { digestCommand } from "./digest.ts";

/** Monday 7 December 2026, 08:30 in Berlin. */
const clock = fixedClock("2026-12-07T07:30:00Z");
let database: TestDatabase;

useCliDatabase(async (created) => {
  database = created;
  const sql = created.sql;
  const [org] = await sql<{ id: string }[]>`insert into organizations (slug, name, timezone) values ('acme', 'Acme', 'Europe/Berlin') returning id`;
  const [repo] = await sql<{ id: string }[]>`insert into repositories (org_id, full_name) values (${org!.id}, 'acme/api') returning id`;
  await sql`insert into commits (org_id, repo_id, sha, authored_at, analysis_status, ai_confidence, written_lines, signals)
    values (${org!.id}, ${repo!.id}, 'a1', '2026-12-02T10:00:00Z', 'analyzed', 0.99, 80, '[{"id":"co-author-trailer","weight":1,"evidence":"trailer","agent":"Claude Code"}]'::jsonb)`;
  await sql`insert into notification_channels (org_id, kind, name, config, weekly_digest) values (${org!.id}, 'email', 'leads', '{"to":["lead@acme.example"]}'::jsonb, true)`;
});

describe("sentinel digest", () => {
  it("prints last week's digest without sending anything", async () => {
    const io = bufferIo({ clock });
    expect(await digestCommand.run(["--org", "acme"], io)).toBe(0);
    expect(io.out()).toContain("Sentinel weekly digest · Acme · 30 Nov – 6 Dec 2026\n\nAI wrote an estimated ");
    expect(io.out()).toContain("AI commits by tool\n  Claude Code: 1 commit, 80 written lines\n");
    expect(await database.sql`select 1 from digest_deliveries`).toHaveLength(0);
  });

  it("prints another week's, which may be empty", async () => {
    const io = bufferIo({ clock });
    expect(await digestCommand.run(["--org", "acme", "--week", "2026-10-05"], io)).toBe(0);
    expect(io.out()).toBe("Sentinel weekly digest · Acme · 5 Oct – 11 Oct 2026\n\nA quiet week: no analysed commits, no merged pull requests and no incidents.\n");
  });

  it("will not --send to a channel it has no credentials for, and records nothing for the Monday job to skip", async () => {
    const saved = { key: process.env.RESEND_API_KEY, from: process.env.ALERT_EMAIL_FROM };
    delete process.env.RESEND_API_KEY;
    delete process.env.ALERT_EMAIL_FROM;
    try {
      const io = bufferIo({ clock });
      expect(await digestCommand.run(["--org", "acme", "--send"], io)).toBe(1);
      expect(io.err()).toBe(
        'sentinel digest: cannot send to email channel "leads" (RESEND_API_KEY and ALERT_EMAIL_FROM are not set); set the missing variables, or leave the digest to the Monday job\n',
      );
      expect(await database.sql`select 1 from digest_deliveries`).toHaveLength(0);
    } finally {
      if (saved.key !== undefined) process.env.RESEND_API_KEY = saved.key;
      if (saved.from !== undefined) process.env.ALERT_EMAIL_FROM = saved.from;
    }
  });

  it("refuses a week still running with --send, and bad input with one line", async () => {
    const io = bufferIo({ clock });
    expect(await digestCommand.run(["--org", "acme", "--week", "2026-12-07", "--send"], io)).toBe(1);
    expect(io.err()).toBe("sentinel digest: the week of 2026-12-07 has not ended yet in Europe/Berlin; only a complete week can be sent\n");
    const unknown = bufferIo({ clock });
    expect(await digestCommand.run(["--org", "nobody"], unknown)).toBe(1);
    expect(unknown.err()).toBe('sentinel digest: no organisation with the slug "nobody"\n');
    await expect(digestCommand.run([], bufferIo())).rejects.toThrow("--org is required: the organisation's slug");
    await expect(digestCommand.run(["--org", "acme", "--week", "2026-12-08"], bufferIo())).rejects.toThrow("--week must be a Monday");
    await expect(digestCommand.run(["--org", "acme", "--week", "2026-02-30"], bufferIo())).rejects.toThrow("--week must be a date YYYY-MM-DD");
    await expect(digestCommand.run(["--org", "Acme Inc"], bufferIo())).rejects.toThrow("--org must be a slug");
    await expect(digestCommand.run(["--org", "acme", "extra"], bufferIo())).rejects.toThrow('unexpected argument "extra"');
  });
});
