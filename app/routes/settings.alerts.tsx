import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Pill, type PillTone } from "~/components/Pill.tsx";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { Card, Title } from "@tremor/react";
import type { AlertRuleName } from "../../domain/alerts/settings.ts";
import { requireOrganization, shellOf } from "~/auth.server.ts";
import { AppShell } from "~/components/AppShell.tsx";
import { SettingsNav } from "~/components/SettingsNav.tsx";
import { alertSettingsFromForm, readAlertSettings, saveAlertSettings } from "../../application/alerts/alert-settings.server.ts";
import { ALERT_RULE_TEXT, alertFieldText } from "~/utils/alert-rules.ts";

export const meta: MetaFunction = () => [{ title: "Alert rules · Sentinel" }];

/** Pill tones pass axe's colour-contrast check where Tremor's rose and amber badges do not. */
const SEVERITY_TONE: Record<string, PillTone> = { critical: "critical", warning: "warning", info: "info" };

export async function loader({ request, context }: LoaderFunctionArgs) {
  const signedIn = await requireOrganization(request, context);
  const { settings, defaults } = await readAlertSettings(context.services.db, signedIn.org.orgId, context.services.logger);
  return { ...shellOf(signedIn), settings, defaults, canManage: signedIn.org.role !== "member" };
}

type ActionResult = { saved: true } | { saved: false; fieldErrors: Record<string, string> };

export async function action({ request, context }: ActionFunctionArgs) {
  const signedIn = await requireOrganization(request, context);
  if (signedIn.org.role === "member") throw new Response("Only owners and admins change alert rules", { status: 403 });
  const form = await request.formData();
  const intent = form.get("intent");
  if (intent !== "save" && intent !== "reset") throw new Response("Unknown action", { status: 400 });
  const { value, fieldErrors } = intent === "reset" ? { value: {}, fieldErrors: {} } : alertSettingsFromForm(form);
  const result = await saveAlertSettings(context.services.db, signedIn.org.orgId, value, fieldErrors);
  if (!result.ok) return data<ActionResult>({ saved: false, fieldErrors: result.fieldErrors }, { status: 400 });
  return data<ActionResult>({ saved: true });
}

export default function AlertSettingsPage() {
  const { user, org, settings, defaults, canManage } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ActionResult | undefined;
  const errors = result && !result.saved ? result.fieldErrors : {};
  const rules = Object.keys(settings) as AlertRuleName[];
  return (
    <AppShell user={user} org={org}>
      <h1 className="text-2xl font-semibold tracking-tight">Settings</h1>
      <SettingsNav />
      <p className="mt-4 max-w-3xl text-sm text-gray-600">
        Thresholds and switches of this organisation&apos;s alert rules. They apply from the next evaluation (after each repository&apos;s nightly
        metrics, each production deployment and each new incident). The same rule alerts at most once a day per repository.
      </p>
      {result?.saved ? (
        <p role="status" className="mt-4 max-w-3xl rounded-md border border-emerald-300 bg-emerald-50 p-3 text-sm text-emerald-900">
          Saved: the next evaluation uses these values.
        </p>
      ) : null}
      {result && !result.saved ? (
        <p role="alert" className="mt-4 max-w-3xl rounded-md border border-rose-200 bg-rose-50 p-3 text-sm text-rose-800">
          Nothing was saved: {Object.keys(errors).length === 1 ? "one value needs" : `${Object.keys(errors).length} values need`} fixing below.
        </p>
      ) : null}
      {/* Keyed by the stored values: the fields show them again after a save or a reset, and keep what was typed after an error. */}
      <Form key={JSON.stringify(settings)} method="post" className="mt-6 max-w-3xl space-y-4 text-sm">
        <fieldset disabled={!canManage} className="space-y-4">
          {rules.map((rule) => {
            const text = ALERT_RULE_TEXT[rule];
            const values = settings[rule] as Record<string, number | boolean>;
            const fallback = defaults[rule] as Record<string, number | boolean>;
            return (
              <Card key={rule} data-testid={`alert-rule-${rule}`}>
                <div className="flex items-center justify-between gap-3">
                  <Title>{text.title}</Title>
                  <Pill tone={SEVERITY_TONE[text.severity] ?? "info"}>{text.severity}</Pill>
                </div>
                <p className="mt-1 font-mono text-xs text-gray-500">{rule}</p>
                <label className="mt-3 flex items-center gap-2">
                  <input type="checkbox" name={`${rule}.enabled`} defaultChecked={values.enabled === true} className="rounded border-gray-300" />
                  Enabled<span className="sr-only"> ({text.title})</span>
                </label>
                <div className="mt-3 grid gap-3">
                  {Object.keys(values)
                    .filter((field) => field !== "enabled")
                    .map((field) => {
                      const key = `${rule}.${field}`;
                      const label = alertFieldText(rule, field);
                      return (
                        <div key={key}>
                          <label htmlFor={key} className="block">
                            {label.label}
                            {label.unit ? <span className="text-gray-500"> ({label.unit})</span> : null}
                          </label>
                          <div className="mt-1 flex items-center gap-3">
                            <input
                              id={key}
                              name={key}
                              type="number"
                              step="any"
                              defaultValue={String(values[field])}
                              className="w-32 rounded-md border-gray-300 text-sm"
                              aria-invalid={errors[key] ? true : undefined}
                              aria-describedby={`${key}-default${errors[key] ? ` ${key}-error` : ""}`}
                            />
                            <span id={`${key}-default`} className="text-xs text-gray-500">
                              default {String(fallback[field])}
                            </span>
                          </div>
                          {errors[key] ? (
                            <p id={`${key}-error`} role="alert" className="mt-1 text-rose-700">
                              {errors[key]}
                            </p>
                          ) : null}
                        </div>
                      );
                    })}
                </div>
              </Card>
            );
          })}
        </fieldset>
        {canManage ? (
          <div className="flex gap-3">
            <button type="submit" name="intent" value="save" className="rounded-md bg-gray-900 px-3 py-2 text-white hover:bg-gray-700">
              Save alert rules
            </button>
            <button type="submit" name="intent" value="reset" className="rounded-md border border-gray-300 bg-white px-3 py-2 text-gray-700 hover:bg-gray-50">
              Reset to defaults
            </button>
          </div>
        ) : (
          <p className="text-gray-500">Only owners and admins change alert rules.</p>
        )}
      </Form>
    </AppShell>
  );
}
