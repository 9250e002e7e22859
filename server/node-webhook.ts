import type { IncomingMessage, ServerResponse } from "node:http";
import type { Services } from "../application/services.ts";
import type { BodyClaim } from "../infrastructure/http/body-budget.ts";
import { fixedWebhookReceiverDeps, webhookReceiverDeps } from "../app/webhooks/github-webhook.server.ts";
import {
  admitWebhookBody,
  claimBodyBudget,
  MAX_WEBHOOK_BYTES,
  recordWebhookDelivery,
  refuseBeforeBody,
  refuseBusyBody,
  refuseOversizedBody,
  webhookReceiptStatus,
  type WebhookReceipt,
  type WebhookReceiverDeps,
  type WebhookRequestHead,
} from "../application/ingestion/webhook-receiver.ts";

/**
 * `POST /api/webhooks/github` served by the web server itself, ahead of express and Remix (ADR 021, ADR 023): the
 * same steps as the Remix resource route (`refuseBeforeBody` → read → `admitWebhookBody` → `recordWebhookDelivery`),
 * with the body read from the socket's events and nothing awaited but the batch that records the delivery.
 */

export const GITHUB_WEBHOOK_PATH = "/api/webhooks/github";

/** How the server marks the request: its id (sent back as `x-request-id`), and what to do once it is answered. */
export interface WebhookRequestContext {
  /** Set by the server's own listener (outside express, outside `withLogContext`). */
  requestId?: string;
  /** Called once the answer is written (not for a request whose client went away). */
  answered?(status: number): void;
}

function headReader(request: IncomingMessage, requestId: string | undefined): WebhookRequestHead {
  const headers = request.headers;
  return {
    header(name) {
      const value = headers[name];
      if (value === undefined) return null;
      return Array.isArray(value) ? value.join(", ") : value;
    },
    requestId,
  };
}

/**
 * Reads the body into one buffer (a single chunk, as a small delivery arrives, is used as is), giving up as soon
 * as it passes `limit` — a missing or lying Content-Length included — or a chunk does not fit in the request's share
 * of the body budget. Callbacks, not a promise: one less allocation and turn of the microtask queue per delivery.
 */
function readBody(
  request: IncomingMessage,
  limit: number,
  claim: BodyClaim,
  done: (bytes: Buffer | "TOO_LARGE" | "BUSY") => void,
  failed: (error: Error) => void,
): void {
  let first: Buffer | undefined;
  let chunks: Buffer[] | undefined;
  let size = 0;
  let over = false;
  request.on("data", (chunk: Buffer) => {
    if (over) return;
    size += chunk.byteLength;
    const refusal = size > limit ? "TOO_LARGE" : claim.take(chunk.byteLength) ? null : "BUSY";
    if (refusal !== null) {
      over = true;
      first = undefined;
      chunks = undefined;
      claim.release();
      // Nothing more is kept; the answer closes the connection, which stops the reading.
      request.resume();
      done(refusal);
      return;
    }
    if (first === undefined) first = chunk;
    else (chunks ??= [first]).push(chunk);
  });
  request.on("end", () => {
    if (over) return;
    done(chunks ? Buffer.concat(chunks, size) : (first ?? Buffer.alloc(0)));
  });
  // A client that goes away mid-body destroys the request with an ECONNRESET "aborted" error (no separate listener
  // for the deprecated 'aborted' event).
  request.on("error", (error: Error) => {
    if (over) return;
    over = true;
    failed(error);
  });
}

const JSON_TYPE = "application/json; charset=utf-8";

function answer(response: ServerResponse, receipt: WebhookReceipt, context: WebhookRequestContext): void {
  const { status, body, retryAfterSeconds } = webhookReceiptStatus(receipt);
  // Written directly (express's send would hash every answer for an ETag GitHub never uses).
  const json = JSON.stringify(body);
  const headers: string[] = ["Content-Type", JSON_TYPE, "Content-Length", String(Buffer.byteLength(json))];
  if (context.requestId !== undefined) headers.push("x-request-id", context.requestId);
  // A refused body (over 25 MB, or no room in the body budget) is not read to its end: close the connection rather
  // than reuse it, which also stops reading what its client still sends.
  if (status === 413 || receipt.code === "BUSY") headers.push("Connection", "close");
  if (retryAfterSeconds !== undefined) headers.push("Retry-After", String(retryAfterSeconds));
  response.writeHead(status, headers);
  response.end(json);
  context.answered?.(status);
}

export function serveGitHubWebhook(services: Services): (request: IncomingMessage, response: ServerResponse, context: WebhookRequestContext) => void {
  const abandon = (response: ServerResponse, error: unknown) => {
    // Only a client that went away mid-body gets here; there is nobody to answer.
    services.logger.debug({ error: error instanceof Error ? error.message : String(error) }, "webhook request abandoned");
    response.destroy();
  };

  const receive = (deps: WebhookReceiverDeps, request: IncomingMessage, response: ServerResponse, context: WebhookRequestContext) => {
    const head = headReader(request, context.requestId);
    const refused = refuseBeforeBody(deps, head);
    if (refused !== null) {
      if (refused.code === "TOO_LARGE") request.resume();
      answer(response, refused, context);
      return;
    }
    const budget = claimBodyBudget(deps, head);
    if (!budget.ok) {
      answer(response, budget.receipt, context);
      return;
    }
    const { claim } = budget;
    // Whatever happens to the request — verified, refused, or its client gone mid-body — its bytes are given back.
    request.once("close", claim.release);
    readBody(
      request,
      MAX_WEBHOOK_BYTES,
      claim,
      (bytes) => {
        if (bytes === "TOO_LARGE") return answer(response, refuseOversizedBody(deps, head), context);
        if (bytes === "BUSY") return answer(response, refuseBusyBody(deps, head), context);
        const admission = admitWebhookBody(deps, head, bytes);
        // Verified or refused, the body no longer counts against the budget (a verified one is GitHub's, and the
        // intake's deadline bounds how long it stays in memory).
        claim.release();
        if (!admission.ok) return answer(response, admission.receipt, context);
        recordWebhookDelivery(deps, head, admission.admitted).then(
          (receipt) => answer(response, receipt, context),
          (error: unknown) => abandon(response, error),
        );
      },
      (error) => abandon(response, error),
    );
  };

  return (request, response, context) => {
    const deps = fixedWebhookReceiverDeps(services);
    if (deps !== null) return receive(deps, request, response, context);
    // A secret stored by /setup: a cached read.
    webhookReceiverDeps(services).then(
      (resolved) => receive(resolved, request, response, context),
      (error: unknown) => abandon(response, error),
    );
  };
}
