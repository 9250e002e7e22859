import { createCookie, type AppLoadContext } from "@remix-run/node";
import { fieldErrorsOf } from "../../domain/field-errors.ts";
import { z } from "zod";
import { describeGitHubApp, type GitHubAppStatus } from "../../infrastructure/github/app-config.ts";
import {
  buildGitHubAppManifest,
  completeGitHubAppRegistration,
  GITHUB_APP_EVENTS,
  GITHUB_APP_PERMISSIONS,
  installUrlFor,
  isPubliclyReachable,
  manifestCode,
  manifestFormAction,
  newSetupState,
  registrationForm,
  sameSecret,
  setupTokenFor,
  WEBHOOK_PATH,
  type RegistrationResult,
} from "../../infrastructure/github/app-registration.ts";
import { isLocalSignInAllowed, requireUser } from "../auth.server.ts";

/**
 * The Setup page's use-cases (docs/decisions/051-github-app-setup.md): who may register the App, the manifest form,
 * and the callback that stores it. Routes call these from their loader and action only.
 */

/** Only the page's own state cookie: the manifest flow's `state`, bound to this browser for the hour GitHub allows. */
function stateCookie(context: AppLoadContext) {
  const { env } = context.services;
  return createCookie("sentinel_setup_state", {
    path: "/setup",
    httpOnly: true,
    // Lax: GitHub's redirect back to /setup/callback is a top-level GET, which carries a Lax cookie.
    sameSite: "lax",
    secure: env.isProduction,
    maxAge: 3600,
    secrets: env.sessionSecrets,
  });
}

function baseUrlOf(request: Request, context: AppLoadContext): string {
  return (context.services.env.PUBLIC_URL ?? new URL(request.url).origin).replace(/\/+$/, "");
}

/** Public fields only: the page never carries a secret, not even to the signed-in operator. */
function configuredView(status: Exclude<GitHubAppStatus, { source: "none" }>, webUrl: string) {
  return {
    source: status.source,
    appId: status.appId,
    slug: status.slug,
    name: status.source === "stored" ? status.name : null,
    ownerLogin: status.source === "stored" ? status.ownerLogin : null,
    htmlUrl: status.source === "stored" ? status.htmlUrl : null,
    createdAt: status.source === "stored" ? status.createdAt : null,
    problem: status.source === "stored" ? status.problem : null,
    installUrl: status.slug ? installUrlFor(webUrl, status.slug) : null,
  };
}

export type SetupPageData =
  | { view: "configured"; app: ReturnType<typeof configuredView> }
  | {
      view: "register";
      /** Local mode: the signed-in demo user may register; otherwise the setup token from the server log is asked for. */
      needsToken: boolean;
      secretKeyMissing: boolean;
      baseUrl: string;
      webhookUrl: string;
      reachable: boolean;
      defaultName: string;
      permissions: Record<string, string>;
      events: string[];
    };

export async function loadSetupPage(request: Request, context: AppLoadContext): Promise<SetupPageData> {
  const { env, db } = context.services;
  const status = await describeGitHubApp(env, db);
  if (status.source !== "none") {
    // Once an App exists, only signed-in people see which one (still no secrets).
    await requireUser(request, context);
    return { view: "configured", app: configuredView(status, env.GITHUB_WEB_URL) };
  }
  const local = await isLocalSignInAllowed(context);
  if (local) await requireUser(request, context);
  const baseUrl = baseUrlOf(request, context);
  return {
    view: "register",
    needsToken: !local,
    secretKeyMissing: !env.SENTINEL_SECRET_KEY,
    baseUrl,
    webhookUrl: `${baseUrl}${WEBHOOK_PATH}`,
    reachable: isPubliclyReachable(baseUrl),
    defaultName: `Sentinel (${new URL(baseUrl).hostname})`.slice(0, 34),
    permissions: { ...GITHUB_APP_PERMISSIONS },
    events: [...GITHUB_APP_EVENTS],
  };
}

export type StartRegistrationResult =
  | { ok: true; postTo: string; manifest: string; setCookie: string }
  | { ok: false; status: number; formError?: string; fieldErrors?: Record<string, string> };

/** POST /setup: checks who is asking, validates the form, and hands back the manifest form for GitHub with a fresh state. */
export async function startRegistration(request: Request, context: AppLoadContext): Promise<StartRegistrationResult> {
  const { env, db } = context.services;
  const status = await describeGitHubApp(env, db);
  if (status.source !== "none") {
    return { ok: false, status: 409, formError: "A GitHub App is already configured. Remove it first (`npx sentinel github-app remove`) to register another." };
  }
  const local = await isLocalSignInAllowed(context);
  const form = Object.fromEntries(await request.formData());
  if (local) {
    await requireUser(request, context);
  } else {
    const token = typeof form.token === "string" ? form.token.trim() : "";
    if (!token || !sameSecret(token, setupTokenFor(env))) {
      return { ok: false, status: 403, fieldErrors: { token: "This is not the setup token. Copy it from the server log (the line that says \"setup token\")." } };
    }
  }
  if (!env.SENTINEL_SECRET_KEY) {
    return {
      ok: false,
      status: 400,
      formError: "Set SENTINEL_SECRET_KEY (at least 32 characters, e.g. `openssl rand -hex 32`) and restart Sentinel first: the App's private key is only ever stored encrypted.",
    };
  }
  const parsed = registrationForm.safeParse({ name: form.name, organization: form.organization });
  if (!parsed.success) return { ok: false, status: 400, fieldErrors: fieldErrorsOf(parsed.error, "form") };
  const state = newSetupState();
  const manifest = buildGitHubAppManifest({ baseUrl: baseUrlOf(request, context), name: parsed.data.name });
  return {
    ok: true,
    postTo: manifestFormAction({ webUrl: env.GITHUB_WEB_URL, organization: parsed.data.organization, state }),
    manifest: JSON.stringify(manifest),
    setCookie: await stateCookie(context).serialize({ state }),
  };
}

const callbackQuery = z.object({ code: manifestCode, state: z.string().min(1).max(200) });

export type FinishRegistrationResult = {
  status: number;
  result: RegistrationResult | { ok: false; code: "STATE_MISMATCH" | "BAD_REQUEST"; message: string };
  clearCookie: string;
};

/**
 * GET /setup/callback?code&state: the state must be the one this browser was given by POST /setup (missing or
 * altered: rejected before GitHub is asked anything); then the code is exchanged and the App stored.
 */
export async function finishRegistration(request: Request, context: AppLoadContext, fetchImpl?: typeof fetch): Promise<FinishRegistrationResult> {
  const cookie = stateCookie(context);
  const clearCookie = await cookie.serialize("", { maxAge: 0 });
  const url = new URL(request.url);
  const query = callbackQuery.safeParse({ code: url.searchParams.get("code") ?? undefined, state: url.searchParams.get("state") ?? undefined });
  if (!query.success) {
    const field = String(query.error.issues[0]?.path[0] ?? "query");
    return {
      status: 400,
      clearCookie,
      result: { ok: false, code: field === "state" ? "STATE_MISMATCH" : "BAD_REQUEST", message: `GitHub's answer has no valid ${field}. Start again from the Setup page.` },
    };
  }
  const expected: unknown = await cookie.parse(request.headers.get("Cookie"));
  const expectedState = typeof expected === "object" && expected !== null && typeof (expected as { state?: unknown }).state === "string" ? (expected as { state: string }).state : null;
  if (!expectedState || !sameSecret(query.data.state, expectedState)) {
    context.services.logger.warn("GitHub App setup callback refused: its state does not match this browser's (expired, altered or not started here)");
    return {
      status: 400,
      clearCookie,
      result: { ok: false, code: "STATE_MISMATCH", message: "This answer from GitHub does not belong to a registration started in this browser (or it is over an hour old). Nothing was stored; start again from the Setup page." },
    };
  }
  let createdByUserId: string | null = null;
  if (await isLocalSignInAllowed(context)) createdByUserId = (await requireUser(request, context)).user.id;
  const result = await completeGitHubAppRegistration({ db: context.services.db, env: context.services.env, fetchImpl }, { code: query.data.code, createdByUserId });
  if (result.ok) {
    context.services.logger.info({ appId: result.app.appId, slug: result.app.slug }, "GitHub App registered on the Setup page and stored encrypted");
  } else {
    context.services.logger.warn({ code: result.code }, `GitHub App setup failed: ${result.message}`);
  }
  const status = result.ok ? 200 : result.code === "ALREADY_CONFIGURED" ? 409 : result.code === "NO_SECRET_KEY" ? 400 : 502;
  return { status, clearCookie, result };
}
