import type { Services } from "../../application/services.ts";
import { sendTestNotification } from "../../application/alerts/test-notification.ts";
import { createNotifier, notifierOptionsFromEnv, type Notifier } from "../../infrastructure/notify/notifier.ts";

const notifiers = new WeakMap<Services["env"], Notifier>();

/** The same notifier the notification workers build from the environment, made once per process. */
function notifierFor(env: Services["env"]): Notifier {
  let notifier = notifiers.get(env);
  if (!notifier) {
    notifier = createNotifier(notifierOptionsFromEnv(env));
    notifiers.set(env, notifier);
  }
  return notifier;
}

/** "Send test": one message now, through the real senders; the outcome is the person's to see. */
export function sendChannelTest(services: Pick<Services, "db" | "env">, orgId: string, channelId: string) {
  return sendTestNotification(
    { db: services.db, notifier: notifierFor(services.env), publicUrl: services.env.PUBLIC_URL, secretKey: services.env.SENTINEL_SECRET_KEY },
    orgId,
    channelId,
  );
}
