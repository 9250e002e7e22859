import { json, type ActionFunctionArgs } from "@remix-run/node";
import { handleGitHubWebhook } from "../webhooks/github-webhook.server.ts";

/** GitHub App webhooks: verify the signature, record the delivery, queue it (application/ingestion/webhook-receiver.ts). */
export async function action({ request, context }: ActionFunctionArgs) {
  return handleGitHubWebhook(request, context.services);
}

export const loader = () => json({ error: "GitHub delivers webhooks with POST" }, { status: 405, headers: { Allow: "POST" } });
