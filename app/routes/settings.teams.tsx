import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { Card, TableCell, TableRow, Title } from "@tremor/react";
import { z } from "zod";
import { PRIVACY_SENTENCE } from "../../domain/teams/privacy.ts";
import { createManualTeam, deleteManualTeam, updateManualTeam, type ManualTeamResult } from "../../application/teams/manual-teams.ts";
import { readTeamPrivacy, setPerPersonFigures } from "../../application/teams/privacy.ts";
import { teamsForSettings } from "../../application/teams/team-figures.ts";
import { requireOrganization, shellOf } from "~/auth.server.ts";
import { BUTTON_CLASSES } from "~/components/ui/buttons.ts";
import { DataTable, right } from "~/components/ui/DataTable.tsx";
import { FieldError } from "~/components/ui/Field.tsx";
import { IntentButton } from "~/components/ui/IntentButton.tsx";
import { SettingsPage } from "~/components/ui/SettingsPage.tsx";

export const meta: MetaFunction = () => [{ title: "Teams · Settings · Sentinel" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const signedIn = await requireOrganization(request, context);
  const { db, logger } = context.services;
  const [teams, privacy] = await Promise.all([teamsForSettings(db, signedIn.org.orgId), readTeamPrivacy(db, signedIn.org.orgId, logger)]);
  const role = signedIn.org.role;
  return {
    ...shellOf(signedIn),
    github: teams.github.map((team) => ({ id: team.id, name: team.name, people: team.members.length })),
    manual: teams.manual.map((team) => ({ id: team.id, name: team.name, members: team.members })),
    lastGitHubSync: teams.lastGitHubSync?.toISOString() ?? null,
    perPerson: privacy.perPerson,
    isOwner: role === "owner",
    canManage: role === "owner" || role === "admin",
  };
}

const actionInput = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("privacy"), perPerson: z.enum(["on", "off"]) }),
  z.object({ intent: z.literal("create"), name: z.string(), members: z.string() }),
  z.object({ intent: z.literal("update"), teamId: z.string(), name: z.string(), members: z.string() }),
  z.object({ intent: z.literal("delete"), teamId: z.string() }),
]);

type ActionResult = { intent: string; teamId?: string; ok: true; message: string } | { intent: string; teamId?: string; ok: false; fieldErrors: Record<string, string> };

function teamOutcome(intent: string, teamId: string | undefined, result: ManualTeamResult, done: string) {
  if (result.ok) return data<ActionResult>({ intent, teamId, ok: true, message: done });
  if (result.code === "FORBIDDEN") throw new Response("Only owners and admins change teams", { status: 403 });
  if (result.code === "TEAM_NOT_FOUND") throw new Response("Team not found", { status: 404 });
  return data<ActionResult>({ intent, teamId, ok: false, fieldErrors: result.fieldErrors }, { status: 400 });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const signedIn = await requireOrganization(request, context);
  const parsed = actionInput.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) throw new Response(`Invalid form: ${parsed.error.issues.map((issue) => `${issue.path.join(".") || "form"}: ${issue.message}`).join("; ")}`, { status: 400 });
  const { db, clock } = context.services;
  const actor = { orgId: signedIn.org.orgId, role: signedIn.org.role };
  const input = parsed.data;
  switch (input.intent) {
    case "privacy": {
      const changed = await setPerPersonFigures(db, actor, input.perPerson === "on");
      if (!changed.ok) throw new Response("Only an owner turns per-person figures on or off", { status: 403 });
      return data<ActionResult>({ intent: "privacy", ok: true, message: changed.privacy.perPerson ? "Per-person figures are on." : "Per-person figures are off: no page or API answer shows a person's figures." });
    }
    case "create":
      return teamOutcome("create", undefined, await createManualTeam(db, actor, input, clock.now()), `Team ${input.name.trim()} created.`);
    case "update":
      return teamOutcome("update", input.teamId, await updateManualTeam(db, actor, input.teamId, input, clock.now()), `Team ${input.name.trim()} saved.`);
    case "delete":
      return teamOutcome("delete", input.teamId, await deleteManualTeam(db, actor, input.teamId), "Team deleted.");
  }
}

function TeamFields({ prefix, name, members, errors, disabled }: { prefix: string; name: string; members: string; errors: Record<string, string>; disabled: boolean }) {
  return (
    <div className="grid gap-3">
      <div>
        <label htmlFor={`${prefix}-name`} className="block">
          Name
        </label>
        <input
          id={`${prefix}-name`}
          name="name"
          defaultValue={name}
          disabled={disabled}
          className="mt-1 w-full max-w-sm rounded-md border-gray-300 text-sm"
          aria-invalid={errors.name ? true : undefined}
          aria-describedby={errors.name ? `${prefix}-name-error` : undefined}
        />
        <FieldError id={`${prefix}-name-error`} message={errors.name} />
      </div>
      <div>
        <label htmlFor={`${prefix}-members`} className="block">
          Members <span className="text-gray-500">(GitHub logins, separated by commas, spaces or new lines)</span>
        </label>
        <textarea
          id={`${prefix}-members`}
          name="members"
          defaultValue={members}
          disabled={disabled}
          rows={3}
          className="mt-1 w-full max-w-xl rounded-md border-gray-300 font-mono text-sm"
          aria-invalid={errors.members ? true : undefined}
          aria-describedby={errors.members ? `${prefix}-members-error` : undefined}
        />
        <FieldError id={`${prefix}-members-error`} message={errors.members} />
      </div>
    </div>
  );
}

export default function TeamSettings() {
  const { user, org, github, manual, lastGitHubSync, perPerson, isOwner, canManage } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ActionResult | undefined;
  const errorsFor = (intent: string, teamId?: string) => (result && !result.ok && result.intent === intent && result.teamId === teamId ? result.fieldErrors : {});
  const createErrors = errorsFor("create");
  return (
    <SettingsPage user={user} org={org}>
      {result?.ok ? (
        <p role="status" className="mt-4 max-w-3xl rounded-md border border-emerald-300 bg-emerald-50 p-3 text-sm text-emerald-900">
          {result.message}
        </p>
      ) : null}
      {result && !result.ok ? (
        <p role="alert" className="mt-4 max-w-3xl rounded-md border border-rose-200 bg-rose-50 p-3 text-sm text-rose-800">
          Nothing was saved: fix the fields below.
        </p>
      ) : null}

      <Card className="mt-6 max-w-3xl" data-testid="team-privacy">
        <Title>Privacy</Title>
        <p className="mt-2 text-sm text-gray-600">
          {PRIVACY_SENTENCE} Per-person figures (each person&apos;s commits, AI share and merged pull requests on a team&apos;s page and in the API) are{" "}
          <strong data-testid="per-person-state">{perPerson ? "on" : "off"}</strong>. They are off unless an owner turns them on; turning them off
          hides them at once, everywhere. The weekly digest never holds person data.
        </p>
        {isOwner ? (
          <Form method="post" className="mt-3 flex items-center gap-3 text-sm">
            <input type="hidden" name="intent" value="privacy" />
            <input type="hidden" name="perPerson" value={perPerson ? "off" : "on"} />
            <button type="submit" className={BUTTON_CLASSES.secondary}>
              {perPerson ? "Turn per-person figures off" : "Turn per-person figures on"}
            </button>
          </Form>
        ) : (
          <p className="mt-3 text-sm text-gray-500">Only an owner of the organisation can change this.</p>
        )}
      </Card>

      <Card className="mt-6 max-w-3xl" data-testid="github-teams">
        <Title>GitHub teams</Title>
        <p className="mt-2 text-sm text-gray-600">
          Read from your GitHub organisation (the App&apos;s Members: read permission) daily and on every team or membership change; edit them on GitHub.{" "}
          {lastGitHubSync ? `Last synced ${new Date(lastGitHubSync).toISOString().replace("T", " ").slice(0, 16)} UTC.` : "Not synced yet."}
        </p>
        {github.length === 0 ? (
          <p className="mt-3 text-sm text-gray-600">
            No GitHub teams. If your organisation has teams, the Sentinel App may have been installed before it asked for Members: read: an owner of
            the GitHub organisation accepts the new permission on GitHub (Settings → GitHub Apps → Sentinel → Review request).
          </p>
        ) : (
          <DataTable columns={["Team", right("People")]} className="mt-3">
            {github.map((team) => (
              <TableRow key={team.id} data-testid="github-team-row">
                <TableCell>{team.name}</TableCell>
                <TableCell className="text-right">{team.people}</TableCell>
              </TableRow>
            ))}
          </DataTable>
        )}
      </Card>

      <Card className="mt-6 max-w-3xl" data-testid="manual-teams">
        <Title>Teams made here</Title>
        <p className="mt-2 text-sm text-gray-600">
          For groups GitHub does not have. A login must be a member of the GitHub organisation or an author of one of its commits or pull requests.
        </p>
        <div className="mt-3 space-y-4 text-sm">
          {manual.map((team) => (
            <div key={team.id} className="rounded-md border border-gray-200 p-3" data-testid="manual-team">
              <Form method="post" aria-label={`Edit team ${team.name}`}>
                <input type="hidden" name="intent" value="update" />
                <input type="hidden" name="teamId" value={team.id} />
                <TeamFields prefix={`team-${team.id}`} name={team.name} members={team.members.join(", ")} errors={errorsFor("update", team.id)} disabled={!canManage} />
                {canManage ? (
                  <button type="submit" className={`${BUTTON_CLASSES.row} mt-3`} aria-label={`Save team ${team.name}`}>
                    Save
                  </button>
                ) : null}
              </Form>
              {canManage ? (
                <div className="mt-2">
                  <IntentButton intent="delete" fields={{ teamId: team.id }} variant="rowDanger" label={`Delete team ${team.name}`}>
                    Delete
                  </IntentButton>
                </div>
              ) : null}
            </div>
          ))}
          {canManage ? (
            <Form method="post" aria-label="New team" className="rounded-md border border-dashed border-gray-300 p-3" data-testid="new-team">
              <input type="hidden" name="intent" value="create" />
              <h3 className="mb-2 font-medium">New team</h3>
              {/* Keyed by the outcome: a created team clears the form, a refused one keeps what was typed. */}
              <TeamFields key={result?.intent === "create" && result.ok ? "created" : "editing"} prefix="new-team" name="" members="" errors={createErrors} disabled={false} />
              <button type="submit" className={`${BUTTON_CLASSES.primary} mt-3`}>
                Create team
              </button>
            </Form>
          ) : (
            <p className="text-gray-500">Only owners and admins make teams.</p>
          )}
        </div>
      </Card>
    </SettingsPage>
  );
}
