import { createHmac, timingSafeEqual } from "node:crypto";
import { classifyDelivery } from "../../domain/ingestion/delivery-relevance.ts";
import type { Logger } from "../../infrastructure/logging/logger.ts";
import type { BodyBudget, BodyClaim } from "../../infrastructure/http/body-budget.ts";
import { isDataException } from "../../infrastructure/db/errors.ts";
import type { DeliveryIntake, IncomingDelivery } from "./delivery-intake.ts";

/**
 * `POST /api/webhooks/github`: verify, record, queue — nothing else. The delivery row (unique on GitHub's delivery
 * id, the only replay guard GitHub offers) is written before the job is queued, so a job can always find its
 * delivery and a delivery whose job was lost is re-queued (duplicate redelivery, or the hourly recovery).
 */

/** GitHub caps payloads at 25 MB. */
export const MAX_WEBHOOK_BYTES = 25 * 1024 * 1024;

export type WebhookReceipt =
  | { code: "ACCEPTED"; deliveryId: string }
  | { code: "IGNORED"; deliveryId: string; reason: string }
  | { code: "PING"; deliveryId: string }
  | { code: "DUPLICATE"; deliveryId: string }
  | { code: "UNAUTHORIZED"; message: string }
  | { code: "TOO_LARGE"; message: string }
  /** The process holds as many unverified bodies as it may (body-budget.ts): try again shortly. */
  | { code: "BUSY"; message: string }
  | { code: "BAD_REQUEST"; message: string }
  | { code: "UNAVAILABLE"; message: string };

export interface WebhookReceiverDeps {
  /** Writes the delivery row and queues its job, batched with concurrent deliveries (delivery-intake.ts). */
  intake: DeliveryIntake;
  logger: Logger;
  /** Current secret first, then the previous one during a rotation. Empty: every delivery is refused. */
  secrets: string[];
  /** Bytes of bodies not verified yet that the process may hold (SENTINEL_WEBHOOK_BUFFER_MB), shared by all requests. */
  bodyBudget: BodyBudget;
}

const SIGNATURE_FORMAT = /^sha256=([0-9a-f]{64})$/i;

/** Constant-time check of `X-Hub-Signature-256` against every configured secret, over the raw bytes. */
export function verifyWebhookSignature(secrets: string[], body: Uint8Array, header: string | null): boolean {
  const match = header === null ? null : SIGNATURE_FORMAT.exec(header.trim());
  if (!match) return false;
  const given = Buffer.from(match[1]!.toLowerCase(), "hex");
  let valid = false;
  for (const secret of secrets) {
    const expected = createHmac("sha256", secret).update(body).digest();
    // Every secret is checked, so the timing does not reveal which one (if any) matched.
    if (timingSafeEqual(expected, given)) valid = true;
  }
  return valid;
}

export function signWebhookBody(secret: string, body: string | Uint8Array): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

export type BodyRead = { ok: true; bytes: Uint8Array } | { ok: false; reason: "TOO_LARGE" | "BUSY" };

/**
 * What the receiver needs of an HTTP request, so the same use-case serves the Remix route (a Fetch `Request`) and
 * the server's own fast path (a Node `IncomingMessage`, node-webhook.ts) — ADR 021.
 */
export interface WebhookInput extends WebhookRequestHead {
  /**
   * Reads the body, giving up as soon as it passes `limit` bytes (a missing or lying Content-Length included) or a
   * chunk does not fit in the request's share of the body budget.
   */
  readBody(limit: number, claim: BodyClaim): Promise<BodyRead>;
  /** Stops reading a body that will not be used. */
  discardBody(): Promise<void>;
}

export function fetchWebhookInput(request: Request): WebhookInput {
  return {
    header: (name) => request.headers.get(name),
    async readBody(limit, claim) {
      if (!request.body) return { ok: true, bytes: new Uint8Array(0) };
      const reader = request.body.getReader();
      const chunks: Uint8Array[] = [];
      let size = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        size += value.byteLength;
        const refusal = size > limit ? "TOO_LARGE" : claim.take(value.byteLength) ? null : "BUSY";
        if (refusal !== null) {
          await reader.cancel().catch(() => undefined);
          return { ok: false, reason: refusal };
        }
        chunks.push(value);
      }
      return { ok: true, bytes: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size) };
    },
    async discardBody() {
      await request.body?.cancel().catch(() => undefined);
    },
  };
}

/** The headers of a delivery, and the id the access log gives its request (for the receiver's own log lines). */
export interface WebhookRequestHead {
  /** A request header by its lower-case name, or null. */
  header(name: string): string | null;
  /**
   * Set by the server's fast path, which runs outside `withLogContext` (entering an AsyncLocalStorage for every
   * delivery cost more than the rest of its logging, ADR 023): the receiver adds it to the lines it writes itself.
   */
  requestId?: string;
}

/** A delivery that passed every check and only has to be recorded, with the answer it gets once it is. */
export interface AdmittedDelivery {
  delivery: IncomingDelivery;
  answer: WebhookReceipt;
}

function loggerFor(deps: WebhookReceiverDeps, head: WebhookRequestHead): Logger {
  return head.requestId === undefined ? deps.logger : deps.logger.child({ requestId: head.requestId });
}

/**
 * What the headers alone decide, before a byte of the body is read: a declared length over 25 MB, no configured
 * secret, no signature. Null when the body should be read. A refused body is the caller's to discard.
 */
export function refuseBeforeBody(deps: WebhookReceiverDeps, head: WebhookRequestHead): WebhookReceipt | null {
  const declaredLength = Number(head.header("content-length") ?? "0");
  if (Number.isFinite(declaredLength) && declaredLength > MAX_WEBHOOK_BYTES) {
    loggerFor(deps, head).warn(
      { contentLength: declaredLength, limitBytes: MAX_WEBHOOK_BYTES, deliveryId: head.header("x-github-delivery") },
      "webhook refused: body over the 25 MB limit (Content-Length)",
    );
    return { code: "TOO_LARGE", message: "payload over 25 MB" };
  }
  if (deps.secrets.length === 0) {
    loggerFor(deps, head).warn(
      "webhook refused: no webhook secret is configured (GITHUB_WEBHOOK_SECRET, or a GitHub App registered on /setup), so no delivery can be verified",
    );
    return { code: "UNAUTHORIZED", message: "webhook secret not configured" };
  }
  if (head.header("x-hub-signature-256") === null) return { code: "UNAUTHORIZED", message: "missing X-Hub-Signature-256" };
  return null;
}

/** How long a delivery refused for want of buffer space is told to wait (GitHub itself does not retry; recovery does). */
export const BUSY_RETRY_AFTER_SECONDS = 10;

/**
 * The request's share of the body budget, taken once the headers passed (`refuseBeforeBody`): its declared length at
 * once, so a body that cannot fit is refused before a byte of it is read. The claim is the caller's to release.
 */
export function claimBodyBudget(deps: WebhookReceiverDeps, head: WebhookRequestHead): { ok: true; claim: BodyClaim } | { ok: false; receipt: WebhookReceipt } {
  const declared = Number(head.header("content-length") ?? Number.NaN);
  const claim = deps.bodyBudget.open(Number.isSafeInteger(declared) && declared >= 0 ? declared : null);
  if (claim !== null) return { ok: true, claim };
  return { ok: false, receipt: refuseBusyBody(deps, head) };
}

/** A body that does not fit in the body budget, by its Content-Length or while it was being read. */
export function refuseBusyBody(deps: WebhookReceiverDeps, head: WebhookRequestHead): WebhookReceipt {
  loggerFor(deps, head).warn(
    {
      contentLength: head.header("content-length"),
      heldBytes: deps.bodyBudget.heldBytes(),
      budgetBytes: deps.bodyBudget.limitBytes,
      deliveryId: head.header("x-github-delivery"),
    },
    "webhook refused: unverified bodies already fill the buffer budget (SENTINEL_WEBHOOK_BUFFER_MB)",
  );
  return { code: "BUSY", message: "too many webhook bodies in flight, retry later" };
}

/** A body that passed the 25 MB limit while it was being read. */
export function refuseOversizedBody(deps: WebhookReceiverDeps, head: WebhookRequestHead): WebhookReceipt {
  loggerFor(deps, head).warn(
    { limitBytes: MAX_WEBHOOK_BYTES, deliveryId: head.header("x-github-delivery") },
    "webhook refused: body over the 25 MB limit (while reading)",
  );
  return { code: "TOO_LARGE", message: "payload over 25 MB" };
}

const DELIVERY_ID_FORMAT = /^[A-Za-z0-9._-]{1,200}$/;
/** GitHub's event names: lower-case letters, digits and underscores (`projects_v2_item`, `sub_issues`). */
const EVENT_FORMAT = /^[a-z][a-z0-9_]{0,99}$/;

/**
 * The whole body is read: signature, event and delivery headers, JSON. Synchronous — the body is parsed once here and
 * its text is what PostgreSQL stores. Either the delivery to record, or the answer that refuses it.
 */
export function admitWebhookBody(
  deps: WebhookReceiverDeps,
  head: WebhookRequestHead,
  bytes: Uint8Array,
): { ok: true; admitted: AdmittedDelivery } | { ok: false; receipt: WebhookReceipt } {
  if (!verifyWebhookSignature(deps.secrets, bytes, head.header("x-hub-signature-256"))) {
    return { ok: false, receipt: { code: "UNAUTHORIZED", message: "signature does not match" } };
  }

  const event = head.header("x-github-event")?.trim() ?? "";
  const deliveryId = head.header("x-github-delivery")?.trim() ?? "";
  if (!event) return { ok: false, receipt: { code: "BAD_REQUEST", message: "missing X-GitHub-Event" } };
  if (!deliveryId) return { ok: false, receipt: { code: "BAD_REQUEST", message: "missing X-GitHub-Delivery" } };
  if (!DELIVERY_ID_FORMAT.test(deliveryId)) return { ok: false, receipt: { code: "BAD_REQUEST", message: "malformed X-GitHub-Delivery" } };
  if (!EVENT_FORMAT.test(event)) return { ok: false, receipt: { code: "BAD_REQUEST", message: "malformed X-GitHub-Event" } };

  let text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8");
  let payload: unknown;
  try {
    payload = JSON.parse(text);
  } catch {
    return { ok: false, receipt: { code: "BAD_REQUEST", message: "body is not valid JSON" } };
  }
  if (typeof payload !== "object" || payload === null || Array.isArray(payload)) {
    return { ok: false, receipt: { code: "BAD_REQUEST", message: "body is not a JSON object" } };
  }
  // jsonb cannot hold NUL characters; a commit message can. Anything else jsonb refuses is a 400 below.
  if (text.includes("\\u0000")) text = text.replaceAll("\\u0000", "\\ufffd");

  const fields = payload as { action?: unknown; installation?: { id?: unknown } };
  const action = typeof fields.action === "string" ? fields.action.slice(0, 100) : null;
  const installationId = typeof fields.installation?.id === "number" && Number.isSafeInteger(fields.installation.id) ? fields.installation.id : null;
  const relevance = event === "ping" ? ({ relevant: false, reason: "ping" } as const) : classifyDelivery(event, action);
  const delivery: IncomingDelivery = { deliveryId, event, action, installationId, payloadText: text };
  if (!relevance.relevant) delivery.ignoredReason = relevance.reason;
  const answer: WebhookReceipt =
    event === "ping"
      ? { code: "PING", deliveryId }
      : relevance.relevant
        ? { code: "ACCEPTED", deliveryId }
        : { code: "IGNORED", deliveryId, reason: relevance.reason };
  return { ok: true, admitted: { delivery, answer } };
}

/**
 * Writes the delivery row and queues its job (batched with concurrent deliveries, delivery-intake.ts). The intake
 * gives up after its time budget, so a database or Redis that does not answer is a 503 within a second.
 */
export function recordWebhookDelivery(deps: WebhookReceiverDeps, head: WebhookRequestHead, admitted: AdmittedDelivery): Promise<WebhookReceipt> {
  return deps.intake.record(admitted.delivery).then(
    (outcome): WebhookReceipt => (outcome === "duplicate" ? { code: "DUPLICATE", deliveryId: admitted.delivery.deliveryId } : admitted.answer),
    (error: unknown): WebhookReceipt => {
      if (isDataException(error)) return { code: "BAD_REQUEST", message: "payload cannot be stored (invalid characters)" };
      const { deliveryId, event } = admitted.delivery;
      loggerFor(deps, head).warn(
        { deliveryId, event, error: error instanceof Error ? error.message : String(error) },
        "webhook not recorded: database or queue unavailable (GitHub marks the delivery failed; recovery redelivers it)",
      );
      return { code: "UNAVAILABLE", message: "temporarily unavailable" };
    },
  );
}

/** The whole use-case over a `WebhookInput` (the Remix route); the server's fast path runs the same steps itself. */
export async function receiveGitHubWebhook(deps: WebhookReceiverDeps, request: WebhookInput): Promise<WebhookReceipt> {
  const refused = refuseBeforeBody(deps, request);
  if (refused !== null) {
    if (refused.code === "TOO_LARGE") await request.discardBody();
    return refused;
  }
  const budget = claimBodyBudget(deps, request);
  if (!budget.ok) {
    await request.discardBody();
    return budget.receipt;
  }
  let admission: ReturnType<typeof admitWebhookBody>;
  try {
    const body = await request.readBody(MAX_WEBHOOK_BYTES, budget.claim);
    if (!body.ok) return body.reason === "TOO_LARGE" ? refuseOversizedBody(deps, request) : refuseBusyBody(deps, request);
    admission = admitWebhookBody(deps, request, body.bytes);
  } finally {
    // Verified or refused, the body no longer counts against the budget (a verified one is GitHub's, and the
    // intake's deadline bounds how long it stays in memory).
    budget.claim.release();
  }
  if (!admission.ok) return admission.receipt;
  return recordWebhookDelivery(deps, request, admission.admitted);
}

export function webhookReceiptStatus(receipt: WebhookReceipt): { status: number; body: Record<string, unknown>; retryAfterSeconds?: number } {
  switch (receipt.code) {
    case "ACCEPTED":
      return { status: 202, body: { ok: true, deliveryId: receipt.deliveryId } };
    case "IGNORED":
      return { status: 202, body: { ok: true, ignored: true, reason: receipt.reason } };
    case "PING":
      return { status: 200, body: { ok: true, pong: true } };
    case "DUPLICATE":
      return { status: 200, body: { ok: true, duplicate: true } };
    case "UNAUTHORIZED":
      return { status: 401, body: { error: receipt.message } };
    case "TOO_LARGE":
      return { status: 413, body: { error: receipt.message } };
    case "BAD_REQUEST":
      return { status: 400, body: { error: receipt.message } };
    case "BUSY":
      return { status: 503, body: { error: receipt.message }, retryAfterSeconds: BUSY_RETRY_AFTER_SECONDS };
    case "UNAVAILABLE":
      return { status: 503, body: { error: receipt.message } };
  }
}
