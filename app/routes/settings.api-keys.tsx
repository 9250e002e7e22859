import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Pill } from "~/components/Pill.tsx";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { Badge, Card, TableCell, TableRow, Title } from "@tremor/react";
import { requireOrganization, shellOf } from "~/auth.server.ts";
import { BUTTON_CLASSES } from "~/components/ui/buttons.ts";
import { DataTable } from "~/components/ui/DataTable.tsx";
import { Field } from "~/components/ui/Field.tsx";
import { IntentButton } from "~/components/ui/IntentButton.tsx";
import { INPUT_CLASS, Select, type Choice } from "~/components/ui/Select.tsx";
import { SettingsPage } from "~/components/ui/SettingsPage.tsx";
import { formatRelativeTime } from "~/utils/format.ts";
import { createApiKey, describeApiKeyExpiry, listApiKeys, revokeApiKey } from "../../application/access/api-keys.server.ts";

export const meta: MetaFunction = () => [{ title: "API keys · Sentinel" }];

const SCOPE_CHOICES: Choice[] = [
  ["read", "read: GET endpoints only"],
  ["write", "write: also create incidents, acknowledge alerts"],
];
const EXPIRY_CHOICES: Choice[] = ["never", ["30d", "in 30 days"], ["90d", "in 90 days"], ["365d", "in 365 days"], ["date", "on a date (UTC)…"]];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const signedIn = await requireOrganization(request, context);
  const now = context.services.clock.now();
  const keys = (await listApiKeys(context.services.db, signedIn.org.orgId)).map((key) => ({
    ...key,
    expiry: describeApiKeyExpiry(key.expiresAt, now),
    expired: key.expiresAt !== null && Date.parse(key.expiresAt) <= now.getTime(),
  }));
  // The date picker starts tomorrow (UTC): a date means the start of that day, which must be in the future.
  const earliestExpiryDate = new Date(now.getTime() + 86_400_000).toISOString().slice(0, 10);
  return { ...shellOf(signedIn), keys, canManage: signedIn.org.role !== "member", now: now.toISOString(), earliestExpiryDate };
}

type ActionResult = { created?: { name: string; key: string; scope: string; expiry: string }; fieldErrors?: Record<string, string> };

export async function action({ request, context }: ActionFunctionArgs) {
  const signedIn = await requireOrganization(request, context);
  if (signedIn.org.role === "member") throw new Response("Only owners and admins manage API keys", { status: 403 });
  const form = await request.formData();
  const intent = form.get("intent");
  if (intent === "create") {
    // "On a date…" takes the date field; left empty it is an error, not a key that never expires.
    const expiresChoice = form.get("expires");
    if (expiresChoice === "date" && !form.get("expiresOn")) {
      return data<ActionResult>({ fieldErrors: { expires: "pick the day the key stops working" } }, { status: 400 });
    }
    const input = { name: form.get("name"), scope: form.get("scope"), expires: expiresChoice === "date" ? form.get("expiresOn") : expiresChoice };
    const now = context.services.clock.now();
    const result = await createApiKey(context.services.db, signedIn.org.orgId, input, signedIn.user.id, now);
    if (!result.ok) return data<ActionResult>({ fieldErrors: result.fieldErrors }, { status: 400 });
    // The key travels once, in this response; only its hash is stored.
    return data<ActionResult>(
      { created: { name: result.name, key: result.key, scope: result.scope, expiry: describeApiKeyExpiry(result.expiresAt, now) } },
      { headers: { "Cache-Control": "no-store" } },
    );
  }
  if (intent === "revoke") {
    const result = await revokeApiKey(context.services.db, signedIn.org.orgId, String(form.get("keyId") ?? ""), context.services.clock.now());
    if (!result.ok) throw new Response("API key not found", { status: 404 });
    return data<ActionResult>({});
  }
  throw new Response("Unknown action", { status: 400 });
}

export default function ApiKeys() {
  const { user, org, keys, canManage, now, earliestExpiryDate } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ActionResult | undefined;
  return (
    <SettingsPage user={user} org={org}>
      <p className="mt-4 max-w-2xl text-sm text-gray-600">
        Keys read this organisation&apos;s data through the JSON API (<a className="text-blue-700 underline" href="/api/v1/openapi.json">OpenAPI document</a>
        ). Send one as <code>Authorization: Bearer snt_…</code>. A key is shown once; Sentinel keeps only its hash. A <em>read</em> key calls
        the GET endpoints only; a <em>write</em> key may also create incidents and acknowledge alerts.
      </p>
      {result?.created ? (
        <div role="status" className="mt-6 max-w-3xl rounded-md border border-emerald-300 bg-emerald-50 p-4 text-sm">
          <p className="font-medium text-emerald-900">Copy the key &ldquo;{result.created.name}&rdquo; now: it will not be shown again.</p>
          <p className="mt-1 text-emerald-900">
            {result.created.scope === "write" ? "Read and write" : "Read-only"}, {result.created.expiry}.
          </p>
          <code data-testid="new-api-key" className="mt-2 block break-all rounded bg-white p-2 font-mono text-gray-900">
            {result.created.key}
          </code>
        </div>
      ) : null}
      {canManage ? (
        <Card className="mt-6 max-w-3xl">
          <Title>Create a key</Title>
          <Form method="post" className="mt-3 flex flex-wrap items-end gap-3 text-sm">
            <input type="hidden" name="intent" value="create" />
            <Field label="Name">
              <input name="name" placeholder="e.g. Grafana" className={INPUT_CLASS} aria-describedby="name-error" />
            </Field>
            <Field label="Scope">
              <Select name="scope" defaultValue="read" choices={SCOPE_CHOICES} aria-describedby="scope-error" />
            </Field>
            <Field label="Expires">
              <Select name="expires" defaultValue="never" choices={EXPIRY_CHOICES} aria-describedby="expires-error" />
            </Field>
            <Field label="Expiry date">
              <input type="date" name="expiresOn" min={earliestExpiryDate} className={INPUT_CLASS} aria-describedby="expires-error" />
            </Field>
            <button type="submit" className={BUTTON_CLASSES.primary}>
              Create key
            </button>
          </Form>
          {(["name", "scope", "expires"] as const).map((field) =>
            result?.fieldErrors?.[field] ? (
              <p key={field} id={`${field}-error`} role="alert" className="mt-2 text-sm text-rose-700">
                {result.fieldErrors[field]}
              </p>
            ) : null,
          )}
        </Card>
      ) : null}
      <Card className="mt-6">
        {keys.length === 0 ? (
          <p className="text-sm text-gray-500">No API keys yet.</p>
        ) : (
          <DataTable columns={["Name", "Key", "Scope", "Expires", "Created", "Last used", "Status"]}>
            {keys.map((key) => (
              <TableRow key={key.id} data-testid="api-key-row">
                <TableCell>{key.name}</TableCell>
                <TableCell className="font-mono text-xs">{key.displayPrefix}…</TableCell>
                <TableCell>
                  <Pill tone={key.scope === "write" ? "warning" : "neutral"}>{key.scope}</Pill>
                </TableCell>
                <TableCell className={key.expired ? "text-rose-700" : undefined} title={key.expiresAt ?? undefined}>
                  {key.expiry}
                </TableCell>
                <TableCell>{formatRelativeTime(key.createdAt, now)}</TableCell>
                <TableCell>{key.lastUsedAt ? formatRelativeTime(key.lastUsedAt, now) : "never"}</TableCell>
                <TableCell>
                  {key.revokedAt ? (
                    <Badge size="xs" color="gray">
                      revoked
                    </Badge>
                  ) : canManage ? (
                    <IntentButton intent="revoke" fields={{ keyId: key.id }} variant="rowDanger" label={`Revoke ${key.name}`}>
                      Revoke
                    </IntentButton>
                  ) : (
                    "active"
                  )}
                </TableCell>
              </TableRow>
            ))}
          </DataTable>
        )}
      </Card>
    </SettingsPage>
  );
}
