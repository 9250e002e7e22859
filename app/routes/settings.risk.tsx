import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { Card, Title } from "@tremor/react";
import { requireOrganization, shellOf } from "~/auth.server.ts";
import { AppShell } from "~/components/AppShell.tsx";
import { SettingsNav } from "~/components/SettingsNav.tsx";
import { addRiskOverride, listRiskOverrides, removeRiskOverride } from "~/services/risk-overrides.server.ts";
import { TIER_LABELS } from "~/utils/signals.ts";

export const meta: MetaFunction = () => [{ title: "Risk paths · Sentinel" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const signedIn = await requireOrganization(request, context);
  const repositories = await listRiskOverrides(context.services.db, signedIn.org.orgId);
  return { ...shellOf(signedIn), repositories, canManage: signedIn.org.role !== "member" };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const signedIn = await requireOrganization(request, context);
  if (signedIn.org.role === "member") throw new Response("Only owners and admins change risk paths", { status: 403 });
  const form = await request.formData();
  const { db } = context.services;
  const result =
    form.get("intent") === "remove"
      ? await removeRiskOverride(db, signedIn.org.orgId, String(form.get("repoId") ?? ""), String(form.get("pattern") ?? ""))
      : await addRiskOverride(db, signedIn.org.orgId, { repoId: form.get("repoId"), pattern: form.get("pattern"), tier: form.get("tier") });
  if (result.ok) return redirect("/settings/risk");
  // Another organisation's repository id answers like an unknown one.
  if (result.code === "REPO_NOT_FOUND") throw new Response("Repository not found", { status: 404 });
  return data({ repoId: String(form.get("repoId")), pattern: String(form.get("pattern") ?? ""), fieldErrors: result.fieldErrors }, { status: 400 });
}

export default function RiskSettings() {
  const { user, org, repositories, canManage } = useLoaderData<typeof loader>();
  const failed = useActionData<typeof action>() as { repoId: string; pattern: string; fieldErrors: Record<string, string> } | undefined;
  const errorsOf = (repoId: string) => (failed?.repoId === repoId ? failed.fieldErrors : undefined);
  return (
    <AppShell user={user} org={org}>
      <h1 className="text-2xl font-semibold tracking-tight">Settings</h1>
      <SettingsNav />
      <p className="mt-4 max-w-3xl text-sm text-gray-600">
        Path patterns set a file&apos;s risk tier regardless of what its name suggests (globs such as <code>src/billing/**</code> or{" "}
        <code>*.sql</code>). They apply to commits analysed from now on; <code>npx sentinel metrics recompute</code> does not re-run detection.
      </p>
      {repositories.length === 0 ? (
        <p className="mt-6 text-sm text-gray-500">No repositories yet.</p>
      ) : (
        repositories.map((repo) => (
          <Card key={repo.id} className="mt-6 max-w-3xl" data-testid="risk-repo">
            <Title>{repo.fullName}</Title>
            {repo.riskOverrides.length === 0 ? (
              <p className="mt-2 text-sm text-gray-500">No patterns: tiers come from the path&apos;s words alone.</p>
            ) : (
              <ul className="mt-2 divide-y divide-gray-100 text-sm">
                {repo.riskOverrides.map((override) => (
                  <li key={override.pattern} className="flex items-center justify-between py-1.5">
                    <span>
                      <code>{override.pattern}</code> → {TIER_LABELS[override.tier]}
                      {override.problem ? (
                        <span className="ml-2 text-rose-700" data-testid="risk-pattern-invalid">
                          Not applied: {override.problem}. Remove it and add a simpler pattern.
                        </span>
                      ) : null}
                    </span>
                    {canManage ? (
                      <Form method="post">
                        <input type="hidden" name="intent" value="remove" />
                        <input type="hidden" name="repoId" value={repo.id} />
                        <input type="hidden" name="pattern" value={override.pattern} />
                        <button type="submit" className="text-xs text-rose-700 underline" aria-label={`Remove ${override.pattern} from ${repo.fullName}`}>
                          Remove
                        </button>
                      </Form>
                    ) : null}
                  </li>
                ))}
              </ul>
            )}
            {canManage ? (
              <Form method="post" className="mt-3 flex flex-wrap items-start gap-3 text-sm" aria-label={`Add a risk path to ${repo.fullName}`}>
                <input type="hidden" name="intent" value="add" />
                <input type="hidden" name="repoId" value={repo.id} />
                <label className="flex max-w-sm flex-col gap-1">
                  Pattern
                  <input
                    name="pattern"
                    placeholder="src/billing/**"
                    defaultValue={errorsOf(repo.id)?.pattern ? failed?.pattern : undefined}
                    aria-invalid={errorsOf(repo.id)?.pattern ? true : undefined}
                    aria-describedby={errorsOf(repo.id)?.pattern ? `pattern-error-${repo.id}` : undefined}
                    className="rounded-md border-gray-300 text-sm"
                  />
                  {errorsOf(repo.id)?.pattern ? (
                    <span id={`pattern-error-${repo.id}`} role="alert" className="text-rose-700">
                      {errorsOf(repo.id)?.pattern}
                    </span>
                  ) : null}
                </label>
                <label className="flex flex-col gap-1">
                  Tier
                  <select name="tier" defaultValue="3" className="rounded-md border-gray-300 text-sm">
                    {[1, 2, 3, 4].map((tier) => (
                      <option key={tier} value={tier}>
                        {TIER_LABELS[tier]}
                      </option>
                    ))}
                  </select>
                  {errorsOf(repo.id)?.tier ? (
                    <span role="alert" className="text-rose-700">
                      {errorsOf(repo.id)?.tier}
                    </span>
                  ) : null}
                </label>
                <button type="submit" className="mt-5 rounded-md bg-gray-900 px-3 py-2 text-white hover:bg-gray-700">
                  Add
                </button>
              </Form>
            ) : null}
            {errorsOf(repo.id)?.repoId ? (
              <p role="alert" className="mt-2 text-sm text-rose-700">
                {errorsOf(repo.id)?.repoId}
              </p>
            ) : null}
          </Card>
        ))
      )}
    </AppShell>
  );
}
