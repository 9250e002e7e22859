import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { Card, TableCell, TableRow, Title } from "@tremor/react";
import { CHANNEL_KINDS, CHANNEL_KIND_LABELS, type ChannelKind } from "../../domain/alerts/channel-kinds.ts";
import type { Digest } from "../../domain/digest/digest.ts";
import { requireOrganization, shellOf } from "~/auth.server.ts";
import { BUTTON_CLASSES } from "~/components/ui/buttons.ts";
import { DataTable } from "~/components/ui/DataTable.tsx";
import { Field, FieldError } from "~/components/ui/Field.tsx";
import { IntentButton } from "~/components/ui/IntentButton.tsx";
import { INPUT_CLASS } from "~/components/ui/Select.tsx";
import { SettingsPage } from "~/components/ui/SettingsPage.tsx";
import { addChannel, listChannels, removeChannel, setChannelEnabled, setChannelWeeklyDigest } from "../../application/notifications/channel-settings.server.ts";
import { buildOrganizationDigest } from "../../application/digest/load-digest.ts";
import { DigestPreview } from "~/components/digest/DigestPreview.tsx";
import { sendChannelTest } from "~/services/channels.server.ts";
import { formatRelativeTime } from "~/utils/format.ts";

export const meta: MetaFunction = () => [{ title: "Notification channels · Sentinel" }];

type Kind = ChannelKind;

export async function loader({ request, context }: LoaderFunctionArgs) {
  const signedIn = await requireOrganization(request, context);
  const { db, env } = context.services;
  const channels = await listChannels(db, signedIn.org.orgId, env.SENTINEL_SECRET_KEY);
  // "Preview digest": this week's digest for this organisation, built as the Monday job would, never sent.
  const preview = new URL(request.url).searchParams.get("preview") === "digest" ? await buildOrganizationDigest(db, { id: signedIn.org.orgId }, { now: context.services.clock.now() }) : null;
  return {
    digestPreview: preview?.ok ? preview.digest : null,
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
  | { intent: "test"; channelId: string; ok: boolean; message: string }
  | { intent: "weekly-digest"; channelId: string; fieldErrors: Record<string, string> };

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
    case "weekly-digest": {
      const result = await setChannelWeeklyDigest(db, orgId, Object.fromEntries(form));
      if (!result.ok && result.code === "CHANNEL_NOT_FOUND") throw new Response("Channel not found", { status: 404 });
      if (!result.ok) return data<ActionResult>({ intent: "weekly-digest", channelId, fieldErrors: result.fieldErrors }, { status: 400 });
      return redirect("/settings/channels");
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

/** What the add form asks for besides the name: each kind's one field, as configFromForm reads it. */
interface ChannelField {
  name: "target" | "addresses" | "routingKey";
  label: string;
  placeholder?: string;
  /** Addresses are a list: several lines. */
  multiline?: boolean;
  /** A routing key is a secret token: monospaced, and not offered by the browser's autocomplete. */
  secret?: boolean;
  /** The hint under the field; it names the server settings a kind needs when they are missing. */
  help: (delivery: Delivery) => string;
}

type Delivery = { slackBot: boolean; email: boolean };

/** The add form of each kind, in the registry's order; a new kind fails to compile until it has one. */
const ADD_FORMS: Record<Kind, { title: string; submit: string; field: ChannelField }> = {
  slack: {
    title: "Add a Slack channel",
    submit: "Add Slack channel",
    field: {
      name: "target",
      label: "Channel id or incoming-webhook URL",
      placeholder: "C0123456789",
      help: (delivery) =>
        `A channel id posts as the Sentinel bot${delivery.slackBot ? "" : " (needs SLACK_BOT_TOKEN, not set on this server)"}; invite it to the channel. An incoming-webhook URL (https://hooks.slack.com/services/…) needs no bot.`,
    },
  },
  email: {
    title: "Add email recipients",
    submit: "Add email channel",
    field: {
      name: "addresses",
      label: "Addresses",
      placeholder: "oncall@example.com, lead@example.com",
      multiline: true,
      help: (delivery) => `Up to 20, separated by commas or new lines.${delivery.email ? "" : " Email needs RESEND_API_KEY and ALERT_EMAIL_FROM, not set on this server."}`,
    },
  },
  pagerduty: {
    title: "Add a PagerDuty service",
    submit: "Add PagerDuty channel",
    field: {
      name: "routingKey",
      label: "Routing key",
      secret: true,
      help: () => "The integration key of an Events API v2 integration (service → Integrations).",
    },
  },
};

function AddChannelForm({ kind, errors, resetKey, delivery }: { kind: Kind; errors: Record<string, string>; resetKey: number; delivery: Delivery }) {
  const { title, submit, field } = ADD_FORMS[kind];
  const id = `${kind}-${field.name}`;
  const fieldProps = {
    name: field.name,
    placeholder: field.placeholder,
    className: field.secret ? "rounded-md border-gray-300 font-mono text-sm" : INPUT_CLASS,
    "aria-describedby": `${id}-help ${id}-error`,
    "aria-invalid": errors[field.name] ? true : undefined,
  };
  return (
    <Card className="max-w-3xl">
      <Title>{title}</Title>
      {/* Keyed by the channel count: the fields empty once a channel is added, and keep their text after an error. */}
      <Form key={resetKey} method="post" className="mt-3 flex flex-col gap-3 text-sm" aria-label={title}>
        <input type="hidden" name="intent" value="add" />
        <input type="hidden" name="kind" value={kind} />
        <Field label="Name">
          <input name="name" className={INPUT_CLASS} aria-describedby={`${kind}-name-error`} aria-invalid={errors.name ? true : undefined} />
        </Field>
        <FieldError id={`${kind}-name-error`} message={errors.name} />
        <Field label={field.label}>
          {field.multiline ? <textarea rows={2} {...fieldProps} /> : <input autoComplete={field.secret ? "off" : undefined} {...fieldProps} />}
        </Field>
        <p id={`${id}-help`} className="text-xs text-gray-500">
          {field.help(delivery)}
        </p>
        <FieldError id={`${id}-error`} message={errors[field.name]} />
        <div>
          <button type="submit" className={BUTTON_CLASSES.primary}>
            {submit}
          </button>
        </div>
      </Form>
    </Card>
  );
}

/** The weekly digest's opt-in: Slack and email only, PagerDuty says why not. */
function WeeklyDigestCell({ channel, canManage, error }: { channel: { id: string; name: string; kind: Kind; weeklyDigest: boolean }; canManage: boolean; error: string | null }) {
  if (channel.kind === "pagerduty") return <span className="text-xs text-gray-600">not for PagerDuty: it pages on-call</span>;
  return (
    <div>
      {canManage ? (
        <IntentButton
          intent="weekly-digest"
          fields={{ channelId: channel.id, weeklyDigest: channel.weeklyDigest ? "off" : "on" }}
          label={`${channel.weeklyDigest ? "Stop the weekly digest to" : "Send the weekly digest to"} ${channel.name}`}
        >
          {channel.weeklyDigest ? "On · turn off" : "Off · turn on"}
        </IntentButton>
      ) : (
        <span>{channel.weeklyDigest ? "on" : "off"}</span>
      )}
      {error ? (
        <p role="alert" className="mt-1 text-xs text-rose-700">
          {error}
        </p>
      ) : null}
    </div>
  );
}

function WeeklyDigestCard({ preview }: { preview: Digest | null }) {
  return (
    <Card className="mt-6 max-w-3xl">
      <Title>Weekly digest</Title>
      <p className="mt-2 text-sm text-gray-600">
        Every Monday around 08:00 in the organisation&apos;s time zone, each enabled Slack or email channel that opted in gets last week&apos;s summary: AI share and
        its trend, AI commits per tool, the riskiest AI-written files, incidents attributed to AI-written code and AI-written T3/T4 changes merged without review.
        Organisation-wide numbers only, never per person. PagerDuty channels are left out: they page whoever is on call.
      </p>
      <Form method="get" className="mt-3">
        <input type="hidden" name="preview" value="digest" />
        <button type="submit" className={BUTTON_CLASSES.secondary}>
          Preview digest
        </button>
      </Form>
      {preview ? <DigestPreview digest={preview} /> : null}
    </Card>
  );
}

export default function ChannelSettings() {
  const { user, org, channels, canManage, delivery, now, digestPreview } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ActionResult | undefined;
  const navigation = useNavigation();
  const testing = navigation.state !== "idle" && navigation.formData?.get("intent") === "test" ? String(navigation.formData.get("channelId")) : null;
  const errorsFor = (kind: Kind) => (result?.intent === "add" && result.kind === kind ? result.fieldErrors : {});
  return (
    <SettingsPage user={user} org={org}>
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
          <DataTable columns={["Kind", "Name", "Sends to", "Status", "Weekly digest", "Last alert delivery", canManage && "Actions"]}>
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
                  <WeeklyDigestCell channel={channel} canManage={canManage} error={result?.intent === "weekly-digest" && result.channelId === channel.id ? Object.values(result.fieldErrors).join("; ") : null} />
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
                      <IntentButton intent="test" fields={{ channelId: channel.id }} disabled={testing === channel.id} label={`Send test to ${channel.name}`}>
                        {testing === channel.id ? "Sending…" : "Send test"}
                      </IntentButton>
                      <IntentButton intent={channel.enabled ? "disable" : "enable"} fields={{ channelId: channel.id }} label={`${channel.enabled ? "Disable" : "Enable"} ${channel.name}`}>
                        {channel.enabled ? "Disable" : "Enable"}
                      </IntentButton>
                      <IntentButton intent="remove" fields={{ channelId: channel.id }} variant="rowDanger" label={`Remove ${channel.name}`}>
                        Remove
                      </IntentButton>
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
          </DataTable>
        )}
      </Card>
      <WeeklyDigestCard preview={digestPreview} />
      {canManage ? (
        <div className="mt-6 grid gap-6 lg:grid-cols-3">
          {CHANNEL_KINDS.map((kind) => (
            <AddChannelForm key={kind} kind={kind} resetKey={channels.length} errors={errorsFor(kind)} delivery={delivery} />
          ))}
        </div>
      ) : (
        <p className="mt-4 text-sm text-gray-500">Only owners and admins add, test or remove channels.</p>
      )}
    </SettingsPage>
  );
}
