import type { Services } from "../runtime/services.ts";
import { receiveGitHubWebhook, webhookReceiptStatus, webhookSecrets } from "./webhook-receiver.ts";

/** What the webhook resource route calls: the use-case plus the mapping of its outcome to an HTTP answer. */
export async function handleGitHubWebhook(request: Request, services: Services): Promise<Response> {
  const receipt = await receiveGitHubWebhook(
    {
      db: services.db,
      queue: services.queue,
      logger: services.logger.child({ component: "webhooks" }),
      secrets: webhookSecrets(services.env),
    },
    request,
  );
  const { status, body } = webhookReceiptStatus(receipt);
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json; charset=utf-8" } });
}
