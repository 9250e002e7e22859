import { json, type ActionFunctionArgs } from "@remix-run/node";
import { handleGitHubWebhook } from "../../infrastructure/ingest/github-webhook.server.ts";

/** GitHub App webhooks: verify the signature, record the delivery, queue it (infrastructure/ingest/webhook-receiver.ts). */
export async function action({ request, context }: ActionFunctionArgs) {
  return handleGitHubWebhook(request, context.services);
}

export const loader = () => json({ error: "GitHub delivers webhooks with POST" }, { status: 405, headers: { Allow: "POST" } });
