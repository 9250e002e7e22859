import { resolveWebhookSecrets } from "../github/app-config.ts";
import type { Services } from "../runtime/services.ts";
import { createDeliveryIntake, type DeliveryIntake } from "./delivery-intake.ts";
import {
  fetchWebhookInput,
  receiveGitHubWebhook,
  webhookReceiptStatus,
  type WebhookInput,
  type WebhookReceiverDeps,
} from "./webhook-receiver.ts";

/** What the webhook resource route calls: the use-case plus the mapping of its outcome to an HTTP answer. */
export async function handleGitHubWebhook(request: Request, services: Services): Promise<Response> {
  const { status, body } = await answerGitHubWebhook(fetchWebhookInput(request), services);
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json; charset=utf-8" } });
}

/** The transport-neutral part, shared by the Remix route and the server's Node fast path (node-webhook.ts). */
export async function answerGitHubWebhook(input: WebhookInput, services: Services): Promise<{ status: number; body: Record<string, unknown> }> {
  // GITHUB_WEBHOOK_SECRET(_PREVIOUS), else the App registered on /setup (a cached read, not a query per delivery).
  const { secrets, problem } = await resolveWebhookSecrets(services.env, services.db);
  const deps: WebhookReceiverDeps = { ...sharedDeps(services), secrets };
  if (problem) deps.logger.warn(`webhook refused: ${problem}`);
  return webhookReceiptStatus(await receiveGitHubWebhook(deps, input));
}

/** One intake per running service set, so concurrent requests share its batches. */
const shared = new WeakMap<Services, Omit<WebhookReceiverDeps, "secrets">>();
function sharedDeps(services: Services): Omit<WebhookReceiverDeps, "secrets"> {
  let deps = shared.get(services);
  if (deps === undefined) {
    const intake: DeliveryIntake = createDeliveryIntake(services.database.sql, services.queue);
    deps = { intake, logger: services.logger.child({ component: "webhooks" }) };
    shared.set(services, deps);
  }
  return deps;
}
