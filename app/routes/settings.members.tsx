import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { Card, TableCell, TableRow, Title } from "@tremor/react";
import { isGitHubSignInAllowed, requireOrganization, shellOf } from "~/auth.server.ts";
import { BUTTON_CLASSES } from "~/components/ui/buttons.ts";
import { DataTable } from "~/components/ui/DataTable.tsx";
import { IntentButton } from "~/components/ui/IntentButton.tsx";
import { Select } from "~/components/ui/Select.tsx";
import { SettingsPage } from "~/components/ui/SettingsPage.tsx";
import { changeMemberRole, listMembers, removeMember, restoreMember } from "../../application/access/members.server.ts";
import { formatRelativeTime } from "~/utils/format.ts";
import { MEMBER_ROLES } from "../../domain/access/roles.ts";

export const meta: MetaFunction = () => [{ title: "Members · Sentinel" }];

const ROLE_CLASSES = {
  owner: "bg-violet-50 text-violet-800 ring-violet-600/30",
  admin: "bg-blue-50 text-blue-800 ring-blue-600/30",
  member: "bg-gray-50 text-gray-700 ring-gray-500/30",
} as const;

export async function loader({ request, context }: LoaderFunctionArgs) {
  const signedIn = await requireOrganization(request, context);
  const { members, removed } = await listMembers(context.services.db, signedIn.org.orgId);
  return {
    ...shellOf(signedIn),
    members,
    removed,
    me: { userId: signedIn.user.id, role: signedIn.org.role },
    githubSignIn: await isGitHubSignInAllowed(context),
    now: context.services.clock.now().toISOString(),
  };
}

type ActionResult = { error: string; userId?: string };

export async function action({ request, context }: ActionFunctionArgs) {
  const signedIn = await requireOrganization(request, context);
  if (signedIn.org.role === "member") throw new Response("Only owners and admins manage members", { status: 403 });
  const form = await request.formData();
  const { db } = context.services;
  const orgId = signedIn.org.orgId;
  const actor = { userId: signedIn.user.id };
  const input = { userId: form.get("userId") ?? undefined, role: form.get("role") ?? undefined };
  const intent = form.get("intent");
  const result =
    intent === "role"
      ? await changeMemberRole(db, orgId, actor, input)
      : intent === "remove"
        ? await removeMember(db, orgId, actor, input, context.services.clock.now())
        : intent === "restore"
          ? await restoreMember(db, orgId, actor, input)
          : null;
  if (!result) throw new Response("Unknown action", { status: 400 });
  if (result.ok) return redirect("/settings/members");
  const userId = typeof input.userId === "string" ? input.userId : undefined;
  switch (result.code) {
    // Another organisation's member id answers like an unknown one.
    case "MEMBER_NOT_FOUND":
      throw new Response("Member not found", { status: 404 });
    case "INVALID_INPUT":
      return data<ActionResult>({ error: Object.values(result.fieldErrors).join("; "), userId }, { status: 400 });
    case "FORBIDDEN":
      return data<ActionResult>({ error: result.message, userId }, { status: 403 });
    case "LAST_OWNER":
      return data<ActionResult>({ error: result.message, userId }, { status: 409 });
  }
}

export default function MembersSettings() {
  const { user, org, members, removed, me, githubSignIn, now } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ActionResult | undefined;
  const canManage = me.role !== "member";
  // Admins manage admins and members; owners are made and unmade by owners.
  const canChange = (role: string) => canManage && (me.role === "owner" || role !== "owner");
  return (
    <SettingsPage user={user} org={org}>
      <div className="mt-4 max-w-3xl space-y-2 text-sm text-gray-600">
        <p>
          People join by signing in with GitHub: whoever installed the GitHub App becomes owner, and members of the GitHub organisation the App
          is installed on join as members. Owners and admins can then change roles. Admins manage admins and members; only an owner makes or
          changes an owner, and the last owner can be neither demoted nor removed.
        </p>
        {githubSignIn ? null : (
          <p>GitHub sign-in is not configured on this server: the only account is the local demo user, owner of the demo organisation.</p>
        )}
        <p>Removing someone takes effect at once, and their next sign-in does not add them back, until an owner or admin restores them below.</p>
      </div>
      {result?.error ? (
        <p role="alert" className="mt-4 max-w-3xl rounded-md border border-rose-200 bg-rose-50 p-3 text-sm text-rose-800">
          {result.error}
        </p>
      ) : null}
      <Card className="mt-6">
        <DataTable columns={["Member", "Role", "Joined", "Last sign-in", canManage && "Actions"]}>
          {members.map((member) => {
            const label = member.name ? `${member.name} (${member.login})` : member.login;
            return (
              <TableRow key={member.userId} data-testid="member-row">
                <TableCell>
                  {label}
                  {member.userId === me.userId ? <span className="text-gray-500"> · you</span> : null}
                  {!member.viaGitHub ? <span className="block text-xs text-gray-500">local demo user</span> : null}
                </TableCell>
                <TableCell>
                  {/* Own badge: Tremor's small violet and gray badges fail axe's contrast check. */}
                  <span className={`rounded px-1.5 py-0.5 text-xs font-medium ring-1 ring-inset ${ROLE_CLASSES[member.role]}`}>{member.role}</span>
                </TableCell>
                <TableCell>{formatRelativeTime(member.joinedAt, now)}</TableCell>
                <TableCell>{member.lastLoginAt ? formatRelativeTime(member.lastLoginAt, now) : "never"}</TableCell>
                {canManage ? (
                  <TableCell>
                    {canChange(member.role) ? (
                      <div className="flex flex-wrap items-center gap-2">
                        <Form method="post" className="flex items-center gap-2">
                          <input type="hidden" name="intent" value="role" />
                          <input type="hidden" name="userId" value={member.userId} />
                          <label className="sr-only" htmlFor={`role-${member.userId}`}>
                            Role of {member.login}
                          </label>
                          <Select
                            id={`role-${member.userId}`}
                            name="role"
                            defaultValue={member.role}
                            key={member.role}
                            className="rounded-md border-gray-300 py-1 text-xs"
                            choices={MEMBER_ROLES.filter((role) => me.role === "owner" || role !== "owner")}
                          />
                          <button type="submit" className={BUTTON_CLASSES.row} aria-label={`Change role of ${member.login}`}>
                            Change
                          </button>
                        </Form>
                        <IntentButton intent="remove" fields={{ userId: member.userId }} variant="rowDanger" label={`Remove ${member.login}`}>
                          Remove
                        </IntentButton>
                      </div>
                    ) : (
                      <span className="text-xs text-gray-500">only owners change owners</span>
                    )}
                  </TableCell>
                ) : null}
              </TableRow>
            );
          })}
        </DataTable>
      </Card>
      {removed.length > 0 ? (
        <Card className="mt-6 max-w-3xl">
          <Title>Removed</Title>
          <p className="mt-1 text-sm text-gray-500">Signing in does not bring these people back.</p>
          <ul className="mt-3 divide-y divide-gray-100 text-sm">
            {removed.map((person) => (
              <li key={person.userId} className="flex items-center justify-between py-2" data-testid="removed-member">
                <span>
                  {person.name ? `${person.name} (${person.login})` : person.login}
                  <span className="text-gray-500">
                    {" "}
                    · removed {formatRelativeTime(person.removedAt, now)}
                    {person.removedByLogin ? ` by ${person.removedByLogin}` : ""}
                  </span>
                </span>
                {canManage ? (
                  <IntentButton intent="restore" fields={{ userId: person.userId }} label={`Restore ${person.login} as member`}>
                    Restore as member
                  </IntentButton>
                ) : null}
              </li>
            ))}
          </ul>
        </Card>
      ) : null}
      {canManage ? null : <p className="mt-4 text-sm text-gray-500">Only owners and admins change roles or remove members.</p>}
    </SettingsPage>
  );
}
