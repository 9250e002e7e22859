import { data, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { finishRegistration } from "~/services/github-app-setup.server.ts";

export const meta: MetaFunction = () => [{ title: "GitHub App registered · Sentinel" }];

/** GET /setup/callback?code&state — GitHub sends the browser back here after creating the App from the manifest. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const { status, result, clearCookie } = await finishRegistration(request, context);
  const headers = { "Set-Cookie": clearCookie, "Cache-Control": "no-store" };
  if (result.ok) return data({ ok: true as const, app: result.app }, { status, headers });
  return data({ ok: false as const, code: result.code, message: result.message }, { status, headers });
}

type Outcome =
  | { ok: true; app: { appId: number; slug: string; name: string; installUrl: string } }
  | { ok: false; code: string; message: string };

export default function SetupCallback() {
  const outcome = useLoaderData<typeof loader>() as unknown as Outcome;
  return (
    <main className="mx-auto max-w-2xl px-6 py-16">
      <h1 className="text-2xl font-semibold tracking-tight">Connect GitHub</h1>
      {outcome.ok ? (
        <section className="mt-6 rounded-lg border border-emerald-200 bg-emerald-50 p-6 text-sm">
          <h2 className="text-lg font-semibold text-emerald-900">
            The App &ldquo;{outcome.app.name}&rdquo; is registered
          </h2>
          <p className="mt-2 text-emerald-900">
            App id {outcome.app.appId}, slug <code>{outcome.app.slug}</code>. Its private key, webhook secret and client secret are
            stored encrypted. Sentinel uses it from now on; no restart is needed.
          </p>
          <p className="mt-4">
            <a href={outcome.app.installUrl} className="inline-block rounded-md bg-gray-900 px-4 py-2 font-medium text-white hover:bg-gray-700">
              Install the App on an account
            </a>
          </p>
          <p className="mt-3 text-gray-700">
            Pick the repositories to track. Sentinel creates the organisation (whoever installs the App owns it: sign in with
            GitHub), imports recent history and analyses every new push.
          </p>
        </section>
      ) : (
        <section role="alert" className="mt-6 rounded-lg border border-rose-200 bg-rose-50 p-6 text-sm text-rose-900">
          <h2 className="text-lg font-semibold">The App was not stored</h2>
          <p className="mt-2">{outcome.message}</p>
          <p className="mt-4">
            <Link to="/setup" className="text-blue-700 underline">
              Back to the Setup page
            </Link>
          </p>
        </section>
      )}
    </main>
  );
}
