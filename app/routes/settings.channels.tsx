import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { Card, Table, TableBody, TableCell, TableHead, TableHeaderCell, TableRow, Title } from "@tremor/react";
import { CHANNEL_KIND_LABELS, type ChannelKind } from "../../domain/alerts/channel-kinds.ts";
import { requireOrganization, shellOf } from "~/auth.server.ts";
import { AppShell } from "~/components/AppShell.tsx";
import { SettingsNav } from "~/components/SettingsNav.tsx";
import { addChannel, listChannels, removeChannel, setChannelEnabled } from "../../application/notifications/channel-settings.server.ts";
import { sendChannelTest } from "~/services/channels.server.ts";
import { formatRelativeTime } from "~/utils/format.ts";

export const meta: MetaFunction = () => [{ title: "Notification channels · Sentinel" }];

type Kind = ChannelKind;
const SUBMIT_LABEL: Record<Kind, string> = { slack: "Add Slack channel", email: "Add email channel", pagerduty: "Add PagerDuty channel" };

export async function loader({ request, context }: LoaderFunctionArgs) {
  const signedIn = await requireOrganization(request, context);
  const { db, env } = context.services;
  const channels = await listChannels(db, signedIn.org.orgId, env.SENTINEL_SECRET_KEY);
  return {
    ...shellOf(signedIn),
    channels,
    canManage: signedIn.org.role !== "member",
    // What the operator configured decides which channels can deliver at all; the page says so up front.
    delivery: {
      slackBot: Boolean(env.SLACK_BOT_TOKEN),
      email: Boolean(env.RESEND_API_KEY && env.ALERT_EMAIL_FROM),
      secretsEncrypted: Boolean(env.SENTINEL_SECRET_KEY),
    },
    now: context.services.clock.now().toISOString(),
  };
}

type ActionResult =
  | { intent: "add"; kind: Kind | null; fieldErrors: Record<string, string> }
  | { intent: "test"; channelId: string; ok: boolean; message: string };

export async function action({ request, context }: ActionFunctionArgs) {
  const signedIn = await requireOrganization(request, context);
  if (signedIn.org.role === "member") throw new Response("Only owners and admins manage notification channels", { status: 403 });
  const form = await request.formData();
  const { db, env } = context.services;
  const orgId = signedIn.org.orgId;
  const channelId = String(form.get("channelId") ?? "");
  switch (form.get("intent")) {
    case "add": {
      const result = await addChannel(db, orgId, Object.fromEntries(form), { secretKey: env.SENTINEL_SECRET_KEY, ssrf: { allowedHosts: env.NOTIFY_ALLOWED_HOSTS } });
      if (!result.ok) return data<ActionResult>({ intent: "add", kind: result.kind, fieldErrors: result.fieldErrors }, { status: 400 });
      return redirect("/settings/channels");
    }
    case "test": {
      const result = await sendChannelTest(context.services, orgId, channelId);
      // Another organisation's channel id answers like an unknown one.
      if (!result.ok && result.code === "CHANNEL_NOT_FOUND") throw new Response("Channel not found", { status: 404 });
      const outcome: ActionResult = result.ok
        ? { intent: "test", channelId, ok: true, message: "Test message sent: it should arrive within a minute." }
        : result.code === "INVALID_CONFIG"
          ? { intent: "test", channelId, ok: false, message: `Not sent: the channel's settings cannot be used (${Object.values(result.fieldErrors).join("; ")}). Remove it and add it again.` }
          : {
              intent: "test",
              channelId,
              ok: false,
              message: `Not delivered: ${result.error}. ${result.retryable ? "The service did not answer properly; try again in a moment." : "Check the channel's settings."}`,
            };
      return data<ActionResult>(outcome);
    }
    case "remove":
    case "enable":
    case "disable": {
      const intent = form.get("intent");
      const result = intent === "remove" ? await removeChannel(db, orgId, channelId) : await setChannelEnabled(db, orgId, channelId, intent === "enable");
      if (!result.ok) throw new Response("Channel not found", { status: 404 });
      return redirect("/settings/channels");
    }
    default:
      throw new Response("Unknown action", { status: 400 });
  }
}

function FieldError({ id, message }: { id: string; message: string | undefined }) {
  if (!message) return null;
  return (
    <p id={id} role="alert" className="text-sm text-rose-700">
      {message}
    </p>
  );
}

function AddChannelForm({ kind, title, errors, resetKey, children }: { kind: Kind; title: string; errors: Record<string, string>; resetKey: number; children: React.ReactNode }) {
  return (
    <Card className="max-w-3xl">
      <Title>{title}</Title>
      {/* Keyed by the channel count: the fields empty once a channel is added, and keep their text after an error. */}
      <Form key={resetKey} method="post" className="mt-3 flex flex-col gap-3 text-sm" aria-label={title}>
        <input type="hidden" name="intent" value="add" />
        <input type="hidden" name="kind" value={kind} />
        <label className="flex flex-col gap-1">
          Name
          <input name="name" className="rounded-md border-gray-300 text-sm" aria-describedby={`${kind}-name-error`} aria-invalid={errors.name ? true : undefined} />
        </label>
        <FieldError id={`${kind}-name-error`} message={errors.name} />
        {children}
        <div>
          <button type="submit" className="rounded-md bg-gray-900 px-3 py-2 text-white hover:bg-gray-700">
            {SUBMIT_LABEL[kind]}
          </button>
        </div>
      </Form>
    </Card>
  );
}

export default function ChannelSettings() {
  const { user, org, channels, canManage, delivery, now } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ActionResult | undefined;
  const navigation = useNavigation();
  const testing = navigation.state !== "idle" && navigation.formData?.get("intent") === "test" ? String(navigation.formData.get("channelId")) : null;
  const errorsFor = (kind: Kind) => (result?.intent === "add" && result.kind === kind ? result.fieldErrors : {});
  return (
    <AppShell user={user} org={org}>
      <h1 className="text-2xl font-semibold tracking-tight">Settings</h1>
      <SettingsNav />
      <p className="mt-4 max-w-3xl text-sm text-gray-600">
        Every alert goes to each enabled channel. Secrets (PagerDuty routing keys, Slack webhook URLs) are never shown again after saving
        {delivery.secretsEncrypted
          ? " and are stored encrypted."
          : ". They are stored only encrypted, and SENTINEL_SECRET_KEY is not set on this server: until it is, only Slack channel ids and email recipients can be added."}
      </p>
      {result?.intent === "add" && result.kind === null ? (
        <p role="alert" className="mt-4 text-sm text-rose-700">
          {Object.values(result.fieldErrors).join("; ")}
        </p>
      ) : null}
      <Card className="mt-6">
        {channels.length === 0 ? (
          <p className="text-sm text-gray-500">No channels yet: alerts are recorded and shown on the Alerts page, but nobody is notified.</p>
        ) : (
          <Table>
            <TableHead>
              <TableRow>
                <TableHeaderCell>Kind</TableHeaderCell>
                <TableHeaderCell>Name</TableHeaderCell>
                <TableHeaderCell>Sends to</TableHeaderCell>
                <TableHeaderCell>Status</TableHeaderCell>
                <TableHeaderCell>Last alert delivery</TableHeaderCell>
                {canManage ? <TableHeaderCell>Actions</TableHeaderCell> : null}
              </TableRow>
            </TableHead>
            <TableBody>
              {channels.map((channel) => (
                <TableRow key={channel.id} data-testid="channel-row">
                  <TableCell>{CHANNEL_KIND_LABELS[channel.kind]}</TableCell>
                  <TableCell>{channel.name}</TableCell>
                  <TableCell className="whitespace-normal">
                    {channel.target}
                    {channel.problem ? <span className="block text-rose-700">{channel.problem}</span> : null}
                    {channel.warning ? <span className="block text-amber-800">{channel.warning}</span> : null}
                  </TableCell>
                  <TableCell>
                    {/* Own badge: Tremor's small emerald and gray badges fail axe's contrast check. */}
                    <span className={`rounded px-1.5 py-0.5 text-xs font-medium ring-1 ring-inset ${channel.enabled ? "bg-emerald-50 text-emerald-800 ring-emerald-600/30" : "bg-gray-50 text-gray-700 ring-gray-500/30"}`}>
                      {channel.enabled ? "enabled" : "disabled"}
                    </span>
                  </TableCell>
                  <TableCell className="whitespace-normal">
                    {channel.lastDelivery ? (
                      <span>
                        {channel.lastDelivery.status} {formatRelativeTime(channel.lastDelivery.at, now)}
                        {channel.lastDelivery.error ? <span className="block text-xs text-rose-700">{channel.lastDelivery.error}</span> : null}
                      </span>
                    ) : (
                      "none yet"
                    )}
                  </TableCell>
                  {canManage ? (
                    <TableCell>
                      <div className="flex flex-wrap gap-2">
                        <Form method="post">
                          <input type="hidden" name="intent" value="test" />
                          <input type="hidden" name="channelId" value={channel.id} />
                          <button type="submit" disabled={testing === channel.id} className="rounded-md border border-gray-300 bg-white px-2 py-1 text-xs hover:bg-gray-50" aria-label={`Send test to ${channel.name}`}>
                            {testing === channel.id ? "Sending…" : "Send test"}
                          </button>
                        </Form>
                        <Form method="post">
                          <input type="hidden" name="intent" value={channel.enabled ? "disable" : "enable"} />
                          <input type="hidden" name="channelId" value={channel.id} />
                          <button type="submit" className="rounded-md border border-gray-300 bg-white px-2 py-1 text-xs hover:bg-gray-50" aria-label={`${channel.enabled ? "Disable" : "Enable"} ${channel.name}`}>
                            {channel.enabled ? "Disable" : "Enable"}
                          </button>
                        </Form>
                        <Form method="post">
                          <input type="hidden" name="intent" value="remove" />
                          <input type="hidden" name="channelId" value={channel.id} />
                          <button type="submit" className="rounded-md border border-rose-300 bg-white px-2 py-1 text-xs text-rose-700 hover:bg-rose-50" aria-label={`Remove ${channel.name}`}>
                            Remove
                          </button>
                        </Form>
                      </div>
                      {result?.intent === "test" && result.channelId === channel.id ? (
                        <p role="status" data-testid="test-outcome" className={`mt-2 max-w-xs whitespace-normal text-xs ${result.ok ? "text-emerald-800" : "text-rose-700"}`}>
                          {result.message}
                        </p>
                      ) : null}
                    </TableCell>
                  ) : null}
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
      </Card>
      {canManage ? (
        <div className="mt-6 grid gap-6 lg:grid-cols-3">
          <AddChannelForm kind="slack" resetKey={channels.length} title="Add a Slack channel" errors={errorsFor("slack")}>
            <label className="flex flex-col gap-1">
              Channel id or incoming-webhook URL
              <input name="target" placeholder="C0123456789" className="rounded-md border-gray-300 text-sm" aria-describedby="slack-target-help slack-target-error" aria-invalid={errorsFor("slack").target ? true : undefined} />
            </label>
            <p id="slack-target-help" className="text-xs text-gray-500">
              A channel id posts as the Sentinel bot{delivery.slackBot ? "" : " (needs SLACK_BOT_TOKEN, not set on this server)"}; invite it to the channel. An incoming-webhook URL (https://hooks.slack.com/services/…) needs no bot.
            </p>
            <FieldError id="slack-target-error" message={errorsFor("slack").target} />
          </AddChannelForm>
          <AddChannelForm kind="email" resetKey={channels.length} title="Add email recipients" errors={errorsFor("email")}>
            <label className="flex flex-col gap-1">
              Addresses
              <textarea name="addresses" rows={2} placeholder="oncall@example.com, lead@example.com" className="rounded-md border-gray-300 text-sm" aria-describedby="email-addresses-help email-addresses-error" aria-invalid={errorsFor("email").addresses ? true : undefined} />
            </label>
            <p id="email-addresses-help" className="text-xs text-gray-500">
              Up to 20, separated by commas or new lines.{delivery.email ? "" : " Email needs RESEND_API_KEY and ALERT_EMAIL_FROM, not set on this server."}
            </p>
            <FieldError id="email-addresses-error" message={errorsFor("email").addresses} />
          </AddChannelForm>
          <AddChannelForm kind="pagerduty" resetKey={channels.length} title="Add a PagerDuty service" errors={errorsFor("pagerduty")}>
            <label className="flex flex-col gap-1">
              Routing key
              <input name="routingKey" autoComplete="off" className="rounded-md border-gray-300 font-mono text-sm" aria-describedby="pagerduty-routingKey-help pagerduty-routingKey-error" aria-invalid={errorsFor("pagerduty").routingKey ? true : undefined} />
            </label>
            <p id="pagerduty-routingKey-help" className="text-xs text-gray-500">
              The integration key of an Events API v2 integration (service → Integrations).
            </p>
            <FieldError id="pagerduty-routingKey-error" message={errorsFor("pagerduty").routingKey} />
          </AddChannelForm>
        </div>
      ) : (
        <p className="mt-4 text-sm text-gray-500">Only owners and admins add, test or remove channels.</p>
      )}
    </AppShell>
  );
}
