import type { Services } from "../runtime/services.ts";
import { createDeliveryIntake, type DeliveryIntake } from "./delivery-intake.ts";
import { receiveGitHubWebhook, webhookReceiptStatus, webhookSecrets } from "./webhook-receiver.ts";

/** What the webhook resource route calls: the use-case plus the mapping of its outcome to an HTTP answer. */
export async function handleGitHubWebhook(request: Request, services: Services): Promise<Response> {
  const receipt = await receiveGitHubWebhook(
    {
      intake: intakeFor(services),
      logger: services.logger.child({ component: "webhooks" }),
      secrets: webhookSecrets(services.env),
    },
    request,
  );
  const { status, body } = webhookReceiptStatus(receipt);
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json; charset=utf-8" } });
}

/** One intake per running service set, so concurrent requests share its batches. */
const intakes = new WeakMap<Services, DeliveryIntake>();
function intakeFor(services: Services): DeliveryIntake {
  let intake = intakes.get(services);
  if (intake === undefined) {
    intake = createDeliveryIntake(services.database.sql, services.queue);
    intakes.set(services, intake);
  }
  return intake;
}
