import type { IncomingMessage, ServerResponse } from "node:http";
import type { Services } from "../runtime/services.ts";
import { fixedWebhookReceiverDeps, webhookReceiverDeps } from "./github-webhook.server.ts";
import {
  admitWebhookBody,
  MAX_WEBHOOK_BYTES,
  recordWebhookDelivery,
  refuseBeforeBody,
  refuseOversizedBody,
  webhookReceiptStatus,
  type WebhookReceipt,
  type WebhookReceiverDeps,
  type WebhookRequestHead,
} from "./webhook-receiver.ts";

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
 * as it passes `limit` — a missing or lying Content-Length included. Callbacks, not a promise: one less allocation
 * and turn of the microtask queue per delivery.
 */
function readBody(request: IncomingMessage, limit: number, done: (bytes: Buffer | null) => void, failed: (error: Error) => void): void {
  let first: Buffer | undefined;
  let chunks: Buffer[] | undefined;
  let size = 0;
  let over = false;
  request.on("data", (chunk: Buffer) => {
    if (over) return;
    size += chunk.byteLength;
    if (size > limit) {
      over = true;
      first = undefined;
      chunks = undefined;
      request.resume();
      done(null);
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
  const { status, body } = webhookReceiptStatus(receipt);
  // Written directly (express's send would hash every answer for an ETag GitHub never uses).
  const json = JSON.stringify(body);
  const headers: string[] = ["Content-Type", JSON_TYPE, "Content-Length", String(Buffer.byteLength(json))];
  if (context.requestId !== undefined) headers.push("x-request-id", context.requestId);
  // A refused oversized body is not read to its end: close the connection rather than reuse it.
  if (status === 413) headers.push("Connection", "close");
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
    readBody(
      request,
      MAX_WEBHOOK_BYTES,
      (bytes) => {
        if (bytes === null) return answer(response, refuseOversizedBody(deps, head), context);
        const admission = admitWebhookBody(deps, head, bytes);
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
