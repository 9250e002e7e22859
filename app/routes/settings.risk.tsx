import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { Card, Title } from "@tremor/react";
import { requireOrganization, shellOf } from "~/auth.server.ts";
import { BUTTON_CLASSES } from "~/components/ui/buttons.ts";
import { Field } from "~/components/ui/Field.tsx";
import { INPUT_CLASS, Select } from "~/components/ui/Select.tsx";
import { SettingsPage } from "~/components/ui/SettingsPage.tsx";
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
    <SettingsPage user={user} org={org}>
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
            {canManage ? <AddRiskPathForm repo={repo} errors={errorsOf(repo.id)} failedPattern={failed?.pattern} /> : null}
            <ErrorText message={errorsOf(repo.id)?.repoId} as="p" className="mt-2 text-sm text-rose-700" />
          </Card>
        ))
      )}
    </SettingsPage>
  );
}

const TIER_CHOICES = [1, 2, 3, 4].map((tier) => [String(tier), TIER_LABELS[tier]!] as const);

/** A pattern and its tier for one repository; after a refused submit, the pattern typed comes back with the errors. */
function AddRiskPathForm({
  repo,
  errors,
  failedPattern,
}: {
  repo: { id: string; fullName: string };
  errors: Record<string, string> | undefined;
  failedPattern: string | undefined;
}) {
  const patternErrorId = `pattern-error-${repo.id}`;
  return (
    <Form method="post" className="mt-3 flex flex-wrap items-start gap-3 text-sm" aria-label={`Add a risk path to ${repo.fullName}`}>
      <input type="hidden" name="intent" value="add" />
      <input type="hidden" name="repoId" value={repo.id} />
      <label className="flex max-w-sm flex-col gap-1">
        Pattern
        <input
          name="pattern"
          placeholder="src/billing/**"
          defaultValue={errors?.pattern ? failedPattern : undefined}
          aria-invalid={errors?.pattern ? true : undefined}
          aria-describedby={errors?.pattern ? patternErrorId : undefined}
          className={INPUT_CLASS}
        />
        <ErrorText message={errors?.pattern} id={patternErrorId} />
      </label>
      <Field label="Tier">
        <Select name="tier" defaultValue="3" choices={TIER_CHOICES} />
        <ErrorText message={errors?.tier} />
      </Field>
      <button type="submit" className={`mt-5 ${BUTTON_CLASSES.primary}`}>
        Add
      </button>
    </Form>
  );
}

/** The last submit's error, announced as it appears; nothing without one. */
function ErrorText({ message, id, as: Tag = "span", className = "text-rose-700" }: { message: string | undefined; id?: string; as?: "span" | "p"; className?: string }) {
  if (!message) return null;
  return (
    <Tag id={id} role="alert" className={className}>
      {message}
    </Tag>
  );
}
