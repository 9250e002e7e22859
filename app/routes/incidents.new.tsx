import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { Card } from "@tremor/react";
import { z } from "zod";
import { requireOrganization, shellOf } from "~/auth.server.ts";
import { AppShell } from "~/components/AppShell.tsx";
import { Breadcrumb } from "~/components/ui/Breadcrumb.tsx";
import { Field, FieldError } from "~/components/ui/Field.tsx";
import { INPUT_CLASS, Select, repositoryChoices } from "~/components/ui/Select.tsx";
import { getSuspectCandidates } from "~/presenters/incidents.server.ts";
import { findRepository } from "~/presenters/repository.server.ts";
import { listRepositoryOptions } from "~/presenters/repositories.server.ts";
import { INCIDENT_SEVERITIES, datetimeLocalAsUtc } from "~/utils/incidents.ts";
import { TIER_LABELS, formatConfidence } from "~/utils/signals.ts";
import { PRETICK_FLOOR, PRETICK_LIMIT } from "../../domain/incidents/suspect-ranking.ts";
import { createIncident } from "../../application/incidents/create-incident.server.ts";

export const meta: MetaFunction = () => [{ title: "Log an incident · Sentinel" }];

const suspectLookup = z.object({ repo: z.string().uuid(), startedAt: z.coerce.date() });

export async function loader({ request, context }: LoaderFunctionArgs) {
  const signedIn = await requireOrganization(request, context);
  const { db } = context.services;
  const url = new URL(request.url);
  const repositories = await listRepositoryOptions(db, signedIn.org.orgId);
  const lookup = suspectLookup.safeParse({ repo: url.searchParams.get("repo"), startedAt: datetimeLocalAsUtc(url.searchParams.get("startedAt")) });
  let candidates = null;
  if (lookup.success) {
    // Another organisation's repository id finds no candidates, exactly like an unknown one.
    const repository = await findRepository(db, signedIn.org.orgId, lookup.data.repo);
    candidates = repository ? await getSuspectCandidates(db, signedIn.org.orgId, repository.id, lookup.data.startedAt) : [];
  }
  const defaults = {
    repo: url.searchParams.get("repo") ?? repositories[0]?.id ?? "",
    title: url.searchParams.get("title") ?? "",
    severity: url.searchParams.get("severity") ?? "sev2",
    startedAt: url.searchParams.get("startedAt") ?? context.services.clock.now().toISOString().slice(0, 16),
    description: url.searchParams.get("description") ?? "",
  };
  return { ...shellOf(signedIn), repositories, candidates, defaults };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const signedIn = await requireOrganization(request, context);
  const form = await request.formData();
  const result = await createIncident(
    context.services.db,
    signedIn.org.orgId,
    {
      repoId: form.get("repo") ?? undefined,
      title: form.get("title") ?? undefined,
      description: (form.get("description") as string | null) || undefined,
      severity: form.get("severity") ?? undefined,
      startedAt: datetimeLocalAsUtc(form.get("startedAt")),
      suspectedCommitShas: form.getAll("suspect"),
      source: "manual",
    },
    signedIn.user.id,
    // Queues the alerts engineer's incident rule (AI-attributed incidents) once the incident is committed.
    { queue: context.services.queue },
  );
  if (result.ok) return redirect(`/incidents/${result.incidentId}`);
  // Another organisation's repository id answers like any unknown id.
  if (result.code === "REPO_NOT_FOUND") throw new Response("Repository not found", { status: 404 });
  return data({ fieldErrors: result.fieldErrors }, { status: 400 });
}

export default function NewIncident() {
  const { user, org, repositories, candidates, defaults } = useLoaderData<typeof loader>();
  // `data()` is unwrapped at run time; the classic compiler's types do not know it (single fetch types are off).
  const errors: Record<string, string | undefined> = (useActionData<typeof action>() as { fieldErrors?: Record<string, string> } | undefined)?.fieldErrors ?? {};
  const navigation = useNavigation();
  return (
    <AppShell user={user} org={org}>
      <Breadcrumb parent={{ to: "/incidents", label: "Incidents" }}>new</Breadcrumb>
      <h1 className="mt-1 text-2xl font-semibold tracking-tight">Log an incident</h1>
      <Card className="mt-6 max-w-3xl">
        <Form method="post" className="flex flex-col gap-4 text-sm" aria-label="Incident">
          <Field label="Repository">
            <Select name="repo" defaultValue={defaults.repo} choices={repositoryChoices(repositories)} aria-describedby="repoId-error" />
          </Field>
          <FieldError id="repoId-error" message={errors.repoId} />
          <Field label="Title">
            <input name="title" defaultValue={defaults.title} className={INPUT_CLASS} aria-describedby="title-error" aria-invalid={errors.title ? true : undefined} />
          </Field>
          <FieldError id="title-error" message={errors.title} />
          <div className="flex flex-wrap gap-4">
            <Field label="Severity">
              <Select name="severity" defaultValue={defaults.severity} choices={INCIDENT_SEVERITIES} aria-describedby="severity-error" />
            </Field>
            <Field label="Started at (UTC)">
              <input type="datetime-local" name="startedAt" defaultValue={defaults.startedAt} className={INPUT_CLASS} aria-describedby="startedAt-error" />
            </Field>
          </div>
          <FieldError id="severity-error" message={errors.severity} />
          <FieldError id="startedAt-error" message={errors.startedAt} />
          <Field label="What happened (optional)">
            <textarea name="description" defaultValue={defaults.description} rows={3} className={INPUT_CLASS} />
          </Field>
          <fieldset className="rounded-md border border-gray-200 p-3">
            <legend className="px-1 font-medium">Suspected commits</legend>
            <p className="text-gray-600" data-testid="suspect-rule">
              Sentinel lists the analysed commits shipped by the last production deployments before the start (merge commits and commits without
              written lines left out), ranked by risk tier of their AI-written files × AI confidence × how close to the start they landed, and ticks
              the top {PRETICK_LIMIT} that score at least {PRETICK_FLOOR}.
            </p>
            <button
              type="submit"
              formMethod="get"
              formAction="/incidents/new"
              className="mt-2 rounded-md border border-gray-300 bg-white px-3 py-1.5 hover:bg-gray-50"
            >
              Find suspects
            </button>
            {candidates === null ? null : candidates.length === 0 ? (
              <p className="mt-2 text-gray-500">No analysed commits with written lines were shipped in that window.</p>
            ) : (
              <ul className="mt-3 max-h-80 divide-y divide-gray-100 overflow-y-auto">
                {candidates.map((candidate) => (
                  <li key={candidate.sha} className="py-1.5">
                    <label className="flex items-start gap-2" data-testid="suspect-candidate" data-score={candidate.score}>
                      <input type="checkbox" name="suspect" value={candidate.sha} defaultChecked={candidate.suggested} className="mt-0.5 rounded" />
                      <span>
                        <code>{candidate.sha.slice(0, 7)}</code> {candidate.messageHeadline}{" "}
                        <span className="text-gray-500">
                          — {candidate.authorLogin ?? "unknown"}, AI {formatConfidence(candidate.aiConfidence)},{" "}
                          {candidate.aiRiskTier === null ? "no AI-written file" : `AI-written ${TIER_LABELS[candidate.aiRiskTier]}`}, score{" "}
                          <span data-testid="suspect-score">{candidate.score.toFixed(2)}</span>
                        </span>
                      </span>
                    </label>
                  </li>
                ))}
              </ul>
            )}
            <FieldError id="suspects-error" message={errors.suspectedCommitShas} />
          </fieldset>
          <div>
            <button type="submit" className="rounded-md bg-gray-900 px-4 py-2 text-white hover:bg-gray-700" disabled={navigation.state === "submitting"}>
              Log incident
            </button>
          </div>
        </Form>
      </Card>
    </AppShell>
  );
}
