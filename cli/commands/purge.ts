import { sql } from "drizzle-orm";
import { z } from "zod";
import type { Executor } from "../../infrastructure/db/client.ts";
import { countPurge, purgeOrganization, purgeRepository, repositoryToPurge, type RepositoryToPurge } from "../../application/operations/purge.ts";
import { untilInterrupted, type CliIo } from "../command.ts";
import { defineCommand } from "../define-command.ts";
import { noPositionals, orgSlugOption, repoOption } from "../options.ts";

const optionsSchema = z
  .object({
    org: orgSlugOption,
    repo: repoOption,
    yes: z.boolean().default(false),
  })
  .refine((options) => options.org !== undefined || options.repo !== undefined, "say what to purge: --org <slug> or --repo owner/name");

const count = (value: number) => value.toLocaleString("en-US");

type Target = { kind: "organization"; orgId: string; label: string } | { kind: "repository"; orgId: string; repository: RepositoryToPurge; label: string };

async function resolveTarget(db: Executor, options: { org?: string; repo?: string }): Promise<Target | { error: string }> {
  let orgId: string | undefined;
  if (options.org !== undefined) {
    const [org] = await db.execute<{ id: string }>(sql`select id from organizations where slug = ${options.org}`);
    if (!org) return { error: `no organisation with slug "${options.org}"` };
    orgId = org.id;
  }
  if (options.repo === undefined) return { kind: "organization", orgId: orgId!, label: `organisation ${options.org}` };
  const rows = await db.execute<{ id: string; org_id: string; full_name: string; github_id: number | null; slug: string }>(sql`
    select r.id, r.org_id, r.full_name, r.github_id, o.slug
    from repositories r join organizations o on o.id = r.org_id
    where r.full_name = ${options.repo} ${orgId ? sql`and r.org_id = ${orgId}` : sql``}
    order by o.slug`);
  if (rows.length === 0) return { error: `no repository ${options.repo}${options.org ? ` in organisation ${options.org}` : ""}` };
  if (rows.length > 1) {
    return { error: `${options.repo} exists in ${rows.length} organisations (${rows.map((row) => row.slug).join(", ")}): add --org <slug> to say which` };
  }
  const row = rows[0]!;
  return {
    kind: "repository",
    orgId: row.org_id,
    label: `repository ${row.full_name} (organisation ${row.slug})`,
    repository: repositoryToPurge(row),
  };
}

function describeCounts(counts: Record<string, number>): string {
  const entries = Object.entries(counts).sort(([a], [b]) => a.localeCompare(b));
  const width = Math.max(...entries.map(([table]) => table.length));
  return entries.map(([table, rows]) => `  ${table.padEnd(width)}  ${count(rows).padStart(10)}`).join("\n");
}

/** Progress on stderr: one line per table as it finishes on a pipe; redrawn in place on a terminal. */
function progressPrinter(io: CliIo) {
  let current: string | undefined;
  let last = 0;
  return {
    update(table: string, deleted: number) {
      if (io.isTTY) {
        io.stderr.write(`\rpurge  ${table}: ${count(deleted)} rows deleted   `);
      } else if (table !== current) {
        if (current !== undefined) io.stderr.write(`purge: ${current} ${count(last)} rows deleted\n`);
      }
      current = table;
      last = deleted;
    },
    done() {
      if (current === undefined) return;
      io.stderr.write(io.isTTY ? "\n" : `purge: ${current} ${count(last)} rows deleted\n`);
    },
  };
}

export const purgeCommand = defineCommand({
  name: "purge",
  summary: "Delete an organisation's or a repository's data now (prints what it would delete without --yes)",
  usage: [
    "Usage: sentinel purge (--org <slug> | --repo owner/name [--org <slug>]) [--yes]",
    "",
    "Deletes every stored row of a repository (events, commits, patches, attributions, metrics, alerts, incidents, its",
    "webhook payloads) or of a whole organisation (its repositories, members, API keys, channels, installations), in",
    "batches. Without --yes it only prints what it would delete. The repository (or organisation) is hidden first and",
    "its row goes last, so an interrupted purge leaves nothing visible and running it again continues. People's GitHub",
    "accounts stay: they may belong to other organisations.",
    "Removed repositories are also purged automatically SENTINEL_PURGE_AFTER_DAYS (default 30) after their removal.",
    "A repository still in the GitHub App's installation comes back on its next push: remove it there first.",
    "",
    "Options:",
    "  --org <slug>        the organisation (alone: purge all of it; with --repo: where the repository is)",
    "  --repo owner/name   one repository",
    "  --yes               delete; without it nothing is changed",
  ].join("\n"),
  flags: { org: { type: "string" }, repo: { type: "string" }, yes: { type: "boolean" } },
  positionals: noPositionals("sentinel purge --org slug | --repo owner/name [--yes]"),
  options: optionsSchema,
  database: { migrate: true },
  async run(options, io, services) {
    const target = await resolveTarget(services.db, options);
    if ("error" in target) {
      io.stderr.write(`sentinel purge: ${target.error}\n`);
      return 1;
    }
    const counts = await countPurge(services.db, target.kind === "repository" ? { orgId: target.orgId, repository: target.repository } : { orgId: target.orgId });
    const total = Object.values(counts).reduce((sum, rows) => sum + rows, 0);
    if (!options.yes) {
      io.stdout.write(`Would delete ${count(total)} rows of ${target.label}:\n${describeCounts(counts)}\nNothing was changed; run again with --yes to delete.\n`);
      return 0;
    }
    const started = performance.now();
    const progress = progressPrinter(io);
    let result;
    try {
      result = await untilInterrupted((signal) => {
        const purgeOptions = { signal, onProgress: ({ table, deleted }: { table: string; deleted: number }) => progress.update(table, deleted) };
        return target.kind === "repository" ? purgeRepository(services.db, target.repository, purgeOptions) : purgeOrganization(services.db, target.orgId, purgeOptions);
      });
    } finally {
      progress.done();
    }
    const deleted = Object.values(result.deleted).reduce((sum, rows) => sum + rows, 0);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    if (!result.complete) {
      io.stderr.write(`sentinel purge: interrupted after ${count(deleted)} rows; ${target.label} stays hidden — run the same command again to finish\n`);
      return 130;
    }
    io.stdout.write(`Deleted ${count(deleted)} rows of ${target.label} in ${seconds} s.\n`);
    return 0;
  },
});
