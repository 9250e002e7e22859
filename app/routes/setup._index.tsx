import { data, type ActionFunctionArgs, type HeadersFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import type { ComponentProps } from "react";
import { Field } from "~/components/ui/Field.tsx";
import { INPUT_CLASS } from "~/components/ui/Select.tsx";
import { loadSetupPage, startRegistration } from "~/services/github-app-setup.server.ts";

export const meta: MetaFunction = () => [{ title: "Set up GitHub · Sentinel" }];

export const headers: HeadersFunction = () => ({ "Cache-Control": "no-store" });

export async function loader({ request, context }: LoaderFunctionArgs) {
  return loadSetupPage(request, context);
}

type ActionResult = { postTo?: string; manifest?: string; formError?: string; fieldErrors?: Record<string, string> };

export async function action({ request, context }: ActionFunctionArgs) {
  const result = await startRegistration(request, context);
  if (!result.ok) return data<ActionResult>({ formError: result.formError, fieldErrors: result.fieldErrors }, { status: result.status });
  return data<ActionResult>(
    { postTo: result.postTo, manifest: result.manifest },
    { headers: { "Set-Cookie": result.setCookie, "Cache-Control": "no-store" } },
  );
}

export default function Setup() {
  const page = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ActionResult | undefined;
  return (
    <main className="mx-auto max-w-2xl px-6 py-16">
      <p className="text-sm">
        <Link to="/dashboard" className="text-blue-700 hover:underline">
          ← Sentinel
        </Link>
      </p>
      <h1 className="mt-2 text-2xl font-semibold tracking-tight">Connect GitHub</h1>
      {page.view === "configured" ? (
        <section className="mt-6 rounded-lg border border-gray-200 bg-white p-6 text-sm" aria-labelledby="configured-heading">
          <h2 id="configured-heading" className="text-lg font-semibold">
            A GitHub App is configured
          </h2>
          <dl className="mt-3 grid grid-cols-[max-content_1fr] gap-x-6 gap-y-1">
            <dt className="text-gray-600">App id</dt>
            <dd data-testid="app-id">{page.app.appId ?? "—"}</dd>
            <dt className="text-gray-600">Slug</dt>
            <dd data-testid="app-slug">{page.app.slug ?? "— (set GITHUB_APP_SLUG for an install link)"}</dd>
            {page.app.ownerLogin ? (
              <>
                <dt className="text-gray-600">Owner on GitHub</dt>
                <dd>{page.app.ownerLogin}</dd>
              </>
            ) : null}
            <dt className="text-gray-600">Configured by</dt>
            <dd>{page.app.source === "env" ? "the environment (GITHUB_APP_ID, GITHUB_APP_PRIVATE_KEY, GITHUB_WEBHOOK_SECRET)" : "this Setup page (stored encrypted)"}</dd>
          </dl>
          {page.app.problem ? (
            <p role="alert" className="mt-4 rounded-md border border-rose-200 bg-rose-50 p-3 text-rose-800">
              {page.app.problem}. Restore the SENTINEL_SECRET_KEY it was stored with, or remove it with{" "}
              <code>npx sentinel github-app remove</code> and register it again.
            </p>
          ) : null}
          {page.app.installUrl ? (
            <p className="mt-4">
              <a href={page.app.installUrl} className="inline-block rounded-md bg-gray-900 px-4 py-2 font-medium text-white hover:bg-gray-700">
                Install the App on an account
              </a>
            </p>
          ) : null}
          <p className="mt-4 text-gray-600">
            {page.app.source === "env"
              ? "To change it, change the environment and restart."
              : "To register a different App, remove this one first with `npx sentinel github-app remove` (it stays on GitHub until you delete it there)."}
          </p>
        </section>
      ) : result?.postTo && result.manifest ? (
        <section className="mt-6 rounded-lg border border-gray-200 bg-white p-6 text-sm">
          <h2 className="text-lg font-semibold">Create the App on GitHub</h2>
          <p className="mt-2 text-gray-600">
            GitHub shows the App with the settings below; pick its name there if you like and confirm. GitHub then sends you
            back here, and Sentinel stores the App&apos;s credentials encrypted.
          </p>
          {/* A plain form: it leaves Sentinel for GitHub's "new App" page with the manifest, as GitHub's manifest flow expects. */}
          <form method="post" action={result.postTo} className="mt-4">
            <input type="hidden" name="manifest" value={result.manifest} />
            <button type="submit" className="rounded-md bg-gray-900 px-4 py-2 font-medium text-white hover:bg-gray-700">
              Continue on GitHub
            </button>
          </form>
        </section>
      ) : (
        <section className="mt-6 rounded-lg border border-gray-200 bg-white p-6 text-sm" aria-labelledby="register-heading">
          <h2 id="register-heading" className="text-lg font-semibold">
            Register Sentinel&apos;s GitHub App
          </h2>
          <p className="mt-2 text-gray-600">
            Sentinel reads your repositories through a GitHub App of your own. This creates it on GitHub with read-only
            access ({Object.keys(page.permissions).join(", ")}), webhooks for {page.events.join(", ")} (installation events
            always come), and sends them to <code>{page.webhookUrl}</code>.
          </p>
          {!page.reachable ? (
            <p role="note" className="mt-3 rounded-md border border-amber-200 bg-amber-50 p-3 text-amber-900">
              GitHub cannot deliver webhooks to <code>{page.baseUrl}</code>. Set <code>PUBLIC_URL</code> to an address GitHub
              can reach (a tunnel works for trying it out) and restart before registering.
            </p>
          ) : null}
          {page.secretKeyMissing ? (
            <p role="alert" className="mt-3 rounded-md border border-rose-200 bg-rose-50 p-3 text-rose-800">
              Set <code>SENTINEL_SECRET_KEY</code> (at least 32 characters, e.g. <code>openssl rand -hex 32</code>) and restart:
              the App&apos;s private key is only ever stored encrypted with it.
            </p>
          ) : null}
          {result?.formError ? (
            <p role="alert" className="mt-3 rounded-md border border-rose-200 bg-rose-50 p-3 text-rose-800">
              {result.formError}
            </p>
          ) : null}
          <Form method="post" className="mt-4 flex flex-col gap-4">
            {page.needsToken ? <HelpedInput field="token" errors={result?.fieldErrors} type="password" autoComplete="off" required /> : null}
            <HelpedInput field="name" errors={result?.fieldErrors} defaultValue={page.defaultName} maxLength={34} />
            <HelpedInput field="organization" errors={result?.fieldErrors} placeholder="acme" />
            <div>
              <button
                type="submit"
                disabled={page.secretKeyMissing}
                className="rounded-md bg-gray-900 px-4 py-2 font-medium text-white hover:bg-gray-700 disabled:cursor-not-allowed disabled:bg-gray-400"
              >
                Review and continue
              </button>
            </div>
          </Form>
        </section>
      )}
    </main>
  );
}

/** Each registration field's label, and the help under it that the field's error takes the place of. */
const FIELD_TEXT = {
  token: { label: "Setup token", help: "Printed in the server log at start while no App is configured." },
  name: { label: "App name", help: "Unique on GitHub; you can change it on the next page." },
  organization: { label: "GitHub organisation (optional)", help: "The organisation that will own the App; leave empty to own it yourself." },
};

/** A registration field's text input, described by the line under it: its help, or the error from the last submit. */
function HelpedInput({
  field,
  errors,
  ...input
}: { field: keyof typeof FIELD_TEXT; errors: Record<string, string> | undefined } & Omit<ComponentProps<"input">, "name">) {
  const error = errors?.[field];
  const helpId = `${field}-help`;
  return (
    <Field label={FIELD_TEXT[field].label}>
      <input name={field} {...input} className={INPUT_CLASS} aria-invalid={error ? true : undefined} aria-describedby={helpId} />
      <span id={helpId} className={error ? "text-rose-700" : "text-gray-500"}>
        {error ?? FIELD_TEXT[field].help}
      </span>
    </Field>
  );
}
