import { resolveWebhookSecrets } from "../../infrastructure/github/app-config.ts";
import type { Services } from "../../application/services.ts";
import { createBodyBudget } from "../../infrastructure/http/body-budget.ts";
import { createDeliveryIntake } from "../../application/ingestion/delivery-intake.ts";
import { fetchWebhookInput, receiveGitHubWebhook, webhookReceiptStatus, type WebhookInput, type WebhookReceiverDeps } from "../../application/ingestion/webhook-receiver.ts";

/** What the webhook resource route calls: the use-case plus the mapping of its outcome to an HTTP answer. */
export async function handleGitHubWebhook(request: Request, services: Services): Promise<Response> {
  const { status, body, retryAfterSeconds } = await answerGitHubWebhook(fetchWebhookInput(request), services);
  const headers: Record<string, string> = { "Content-Type": "application/json; charset=utf-8" };
  if (retryAfterSeconds !== undefined) headers["Retry-After"] = String(retryAfterSeconds);
  return new Response(JSON.stringify(body), { status, headers });
}

/** The transport-neutral part (the Remix route, and tests over a `WebhookInput`). */
export async function answerGitHubWebhook(input: WebhookInput, services: Services): Promise<ReturnType<typeof webhookReceiptStatus>> {
  return webhookReceiptStatus(await receiveGitHubWebhook(await webhookReceiverDeps(services), input));
}

interface SharedDeps extends Omit<WebhookReceiverDeps, "secrets"> {
  /** GITHUB_WEBHOOK_SECRET(_PREVIOUS): the environment is read once per process, so these never change. */
  fixed?: WebhookReceiverDeps;
}

/** One intake and one body budget per running service set, so concurrent requests share its batches and its bytes. */
const shared = new WeakMap<Services, SharedDeps>();
function sharedDeps(services: Services): SharedDeps {
  let deps = shared.get(services);
  if (deps === undefined) {
    const intake = createDeliveryIntake(services.database.sql, services.queue);
    const logger = services.logger.child({ component: "webhooks" });
    const bodyBudget = createBodyBudget(services.env.SENTINEL_WEBHOOK_BUFFER_MB * 1024 * 1024);
    const { GITHUB_WEBHOOK_SECRET: current, GITHUB_WEBHOOK_SECRET_PREVIOUS: previous } = services.env;
    deps = { intake, logger, bodyBudget };
    if (current) deps.fixed = { intake, logger, bodyBudget, secrets: previous ? [current, previous] : [current] };
    shared.set(services, deps);
  }
  return deps;
}

/**
 * The receiver's dependencies for a delivery, without a promise when the secrets come from the environment (the
 * server's fast path answers most deliveries without waiting on anything but the batch, ADR 023). Otherwise null:
 * use `webhookReceiverDeps`.
 */
export function fixedWebhookReceiverDeps(services: Services): WebhookReceiverDeps | null {
  return sharedDeps(services).fixed ?? null;
}

/** GITHUB_WEBHOOK_SECRET(_PREVIOUS), else the App registered on /setup (a cached read, not a query per delivery). */
export async function webhookReceiverDeps(services: Services): Promise<WebhookReceiverDeps> {
  const deps = sharedDeps(services);
  if (deps.fixed) return deps.fixed;
  const { secrets, problem } = await resolveWebhookSecrets(services.env, services.db);
  if (problem) deps.logger.warn(`webhook refused: ${problem}`);
  return { intake: deps.intake, logger: deps.logger, bodyBudget: deps.bodyBudget, secrets };
}
