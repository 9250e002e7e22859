import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { getSession, isGitHubSignInAllowed, isLocalSignInAllowed, safeRedirectPath } from "~/auth.server.ts";
import { ensureLocalDemoUser } from "../../infrastructure/db/queries/users.ts";

export const meta: MetaFunction = () => [{ title: "Sign in · Sentinel" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const session = await getSession(request, context);
  const redirectTo = safeRedirectPath(new URL(request.url).searchParams.get("redirectTo"));
  if (session.get("userId")) throw redirect(redirectTo);
  const failed = new URL(request.url).searchParams.get("error") === "github";
  const [localSignIn, githubSignIn] = await Promise.all([isLocalSignInAllowed(context), isGitHubSignInAllowed(context)]);
  return { localSignIn, githubSignIn, failed, redirectTo };
}

const loginForm = z.object({
  intent: z.literal("local", { message: "unknown sign-in method" }),
  redirectTo: z.string().optional(),
});

export async function action({ request, context }: ActionFunctionArgs) {
  // In production this sign-in does not exist: not hidden, absent.
  if (!(await isLocalSignInAllowed(context))) throw new Response("Not Found", { status: 404 });
  const parsed = loginForm.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) return data({ error: parsed.error.issues[0]?.message ?? "invalid form" }, { status: 400 });
  const userId = await ensureLocalDemoUser(context.services.db);
  const session = await getSession(request, context);
  session.set("userId", userId);
  return redirect(safeRedirectPath(parsed.data.redirectTo ?? null), {
    headers: { "Set-Cookie": await context.services.sessionStorage.commitSession(session) },
  });
}

export default function Login() {
  const { localSignIn, githubSignIn, failed, redirectTo } = useLoaderData<typeof loader>();
  return (
    <main className="mx-auto flex min-h-full max-w-md flex-col justify-center px-6 py-24">
      <h1 className="text-3xl font-semibold tracking-tight">Sentinel</h1>
      <p className="mt-2 text-gray-600">
        How much AI-written code flows into your repositories, where it is risky, whether it survives, and when it is
        behind an incident.
      </p>
      <div className="mt-8 space-y-3">
        {failed ? (
          <p role="alert" className="rounded-md border border-rose-200 bg-rose-50 p-3 text-sm text-rose-800">
            GitHub sign-in did not complete (it was cancelled, expired or tampered with). Please try again.
          </p>
        ) : null}
        {githubSignIn ? (
          <Form method="post" action="/auth/github">
            <button
              type="submit"
              className="w-full rounded-md bg-gray-900 px-4 py-2.5 text-sm font-medium text-white hover:bg-gray-700"
            >
              Sign in with GitHub
            </button>
          </Form>
        ) : localSignIn ? (
          <Form method="post">
            <input type="hidden" name="intent" value="local" />
            <input type="hidden" name="redirectTo" value={redirectTo} />
            <button
              type="submit"
              className="w-full rounded-md bg-gray-900 px-4 py-2.5 text-sm font-medium text-white hover:bg-gray-700"
            >
              Continue as demo user
            </button>
            <p className="mt-2 text-xs text-gray-500">
              Local mode: no GitHub sign-in is configured and this is not a production server.
            </p>
          </Form>
        ) : (
          <p className="rounded-md border border-gray-200 bg-white p-4 text-sm text-gray-600">
            GitHub sign-in is not configured. Register Sentinel&apos;s GitHub App on the{" "}
            <a className="text-blue-700 underline" href="/setup">
              Setup page
            </a>{" "}
            (its OAuth client signs people in), or set <code>GITHUB_CLIENT_ID</code> and <code>GITHUB_CLIENT_SECRET</code> (see the README).
          </p>
        )}
      </div>
    </main>
  );
}
