import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Card, Title } from "@tremor/react";
import { z } from "zod";
import { requireOrganization, shellOf } from "~/auth.server.ts";
import { AlertDeliveries } from "~/components/alerts/AlertDeliveries.tsx";
import { AlertFigures } from "~/components/alerts/AlertFigures.tsx";
import { AlertTriggers } from "~/components/alerts/AlertTriggers.tsx";
import { AppShell } from "~/components/AppShell.tsx";
import { Pill } from "~/components/Pill.tsx";
import { Breadcrumb } from "~/components/ui/Breadcrumb.tsx";
import { IntentButton } from "~/components/ui/IntentButton.tsx";
import { alertFigures } from "~/presenters/alerts-figures.ts";
import { alertTriggers } from "~/presenters/alerts-links.ts";
import { getAlertDetail } from "~/presenters/alerts.server.ts";
import { ALERT_RULE_TEXT } from "~/utils/alert-rules.ts";
import { acknowledgeAlert } from "../../application/alerts/acknowledge.server.ts";
import { readAlertSettings } from "../../application/alerts/alert-settings.server.ts";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.alert.title ?? "Alert"} · Sentinel` }];

/** A malformed id is answered like another organisation's: not found, never a hint. */
const alertParams = z.object({ alertId: z.string().uuid() });
const alertForm = z.object({ intent: z.literal("acknowledge") });

const notFound = () => new Response("Alert not found", { status: 404 });

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const signedIn = await requireOrganization(request, context);
  const parsed = alertParams.safeParse(params);
  if (!parsed.success) throw notFound();
  const { db, logger } = context.services;
  const [alert, { settings }] = await Promise.all([
    getAlertDetail(db, signedIn.org.orgId, parsed.data.alertId),
    readAlertSettings(db, signedIn.org.orgId, logger),
  ]);
  if (!alert) throw notFound();
  return {
    ...shellOf(signedIn),
    alert,
    ruleName: (ALERT_RULE_TEXT as Record<string, { title: string } | undefined>)[alert.rule]?.title ?? alert.rule,
    figures: alertFigures(alert.rule, alert.details, settings),
    triggers: alertTriggers(alert),
  };
}

/** Acknowledge: the same code as the list and the API, so PagerDuty incidents the alert opened are acknowledged too. */
export async function action({ request, context, params }: ActionFunctionArgs) {
  const signedIn = await requireOrganization(request, context);
  const parsedParams = alertParams.safeParse(params);
  if (!parsedParams.success) throw notFound();
  const form = alertForm.safeParse(Object.fromEntries(await request.formData()));
  if (!form.success) throw new Response("Unknown action", { status: 400 });
  const { db, queue } = context.services;
  // Stamped with the wall clock, like the list and the API: an acknowledgement is an event, not a page's "today".
  const result = await acknowledgeAlert({ db, queue }, signedIn.org.orgId, parsedParams.data.alertId, signedIn.user.id);
  if (!result.ok) throw notFound();
  return redirect(`/alerts/${parsedParams.data.alertId}`);
}

const utc = (iso: string) => `${iso.slice(0, 16).replace("T", " ")} UTC`;

export default function AlertPage() {
  const { user, org, alert, ruleName, figures, triggers } = useLoaderData<typeof loader>();
  return (
    <AppShell user={user} org={org}>
      <Breadcrumb parent={{ to: "/alerts", label: "Alerts" }}>{ruleName}</Breadcrumb>
      <div className="mt-1 flex flex-wrap items-center justify-between gap-3">
        <h1 className="text-2xl font-semibold tracking-tight">
          <Pill tone={alert.severity} className="mr-2 align-middle">
            {alert.severity}
          </Pill>
          {alert.title}
        </h1>
        {alert.acknowledgedAt ? null : (
          <IntentButton intent="acknowledge" variant="primary" className="text-sm">
            Acknowledge
          </IntentButton>
        )}
      </div>
      <p className="mt-3 max-w-3xl text-gray-800" data-testid="alert-reason">
        {alert.reason}
      </p>
      <dl className="mt-4 grid max-w-xl grid-cols-[auto_1fr] gap-x-6 gap-y-2 text-sm">
        <dt className="text-gray-500">Rule</dt>
        <dd>
          {ruleName} <code className="text-xs text-gray-600">{alert.rule}</code>
        </dd>
        <dt className="text-gray-500">Repository</dt>
        <dd>{alert.repoFullName ?? "the whole organisation"}</dd>
        <dt className="text-gray-500">Fired</dt>
        <dd>{utc(alert.triggeredAt)}</dd>
        <dt className="text-gray-500">Status</dt>
        <dd data-testid="alert-status">
          {alert.acknowledgedAt ? `Acknowledged${alert.acknowledgedBy ? ` by ${alert.acknowledgedBy}` : ""} ${utc(alert.acknowledgedAt)}` : "Open"}
        </dd>
      </dl>
      <Card className="mt-6">
        <Title>The numbers</Title>
        <AlertFigures figures={figures} />
      </Card>
      <Card className="mt-6">
        <Title>What triggered it</Title>
        <AlertTriggers triggers={triggers} />
      </Card>
      <Card className="mt-6">
        <Title>Notifications</Title>
        <AlertDeliveries deliveries={alert.deliveries} />
      </Card>
    </AppShell>
  );
}
