import type postgres from "postgres";
import type { JobQueue } from "../../domain/ports.ts";
import { deliveryJobId, PROCESS_DELIVERY_JOB } from "../../jobs/webhooks.ts";

/**
 * Group commit for the webhook route: the deliveries that arrive while one batch is being written wait and go
 * together in the next — one INSERT for all their rows, one Redis round trip for all their jobs. Under no load a
 * batch is one delivery and nothing waits; under load the batch grows with the load, so the per-delivery cost of a
 * database and a Redis round trip is shared (ADR 060). Every delivery still gets its own answer: recorded,
 * duplicate, or the error that makes its request answer 503.
 *
 * Order of writes is the same as one at a time: rows first, then jobs, so a job can always find its delivery, and a
 * row whose job was lost (Redis down) is queued again by a redelivery or the hourly recovery.
 */

export interface IncomingDelivery {
  deliveryId: string;
  event: string;
  action: string | null;
  installationId: number | null;
  /** The raw JSON text, stored as jsonb by PostgreSQL (no parse-and-serialise round trip in Node). */
  payloadText: string;
  /** Set for pings and events Sentinel does not process: recorded as `ignored`, no job. */
  ignoredReason?: string;
}

export type IntakeOutcome = "recorded" | "duplicate";

interface Pending {
  delivery: IncomingDelivery;
  resolve(outcome: IntakeOutcome): void;
  reject(error: unknown): void;
}

/** At most this many rows per INSERT; more waiting deliveries go in the next batch. */
const MAX_BATCH = 500;

export interface DeliveryIntake {
  record(delivery: IncomingDelivery): Promise<IntakeOutcome>;
}

export function createDeliveryIntake(sql: postgres.Sql, queue: JobQueue): DeliveryIntake {
  let waiting: Pending[] = [];
  let writing = false;

  async function insertRows(batch: Pending[]): Promise<Set<string>> {
    const rows = batch.map(({ delivery }) => delivery);
    const inserted = await sql<{ delivery_id: string }[]>`
      insert into webhook_deliveries (delivery_id, event, action, installation_id, payload, status, error, processed_at)
      select d, e, a, i, p::jsonb,
             case when r is null then 'queued' else 'ignored' end, r,
             case when r is null then null else now() end
      from unnest(
        ${rows.map((row) => row.deliveryId)}::text[], ${rows.map((row) => row.event)}::text[],
        ${rows.map((row) => row.action)}::text[], ${rows.map((row) => row.installationId)}::bigint[],
        ${rows.map((row) => row.payloadText)}::text[], ${rows.map((row) => row.ignoredReason ?? null)}::text[]
      ) as t(d, e, a, i, p, r)
      on conflict (delivery_id) do nothing
      returning delivery_id`;
    return new Set(inserted.map((row) => row.delivery_id));
  }

  /** Re-queues duplicates whose first job may never have reached Redis (their row is still `queued`). */
  async function stillQueued(deliveryIds: string[]): Promise<string[]> {
    if (deliveryIds.length === 0) return [];
    const rows = await sql<{ delivery_id: string }[]>`
      select delivery_id from webhook_deliveries where delivery_id = any(${deliveryIds}::text[]) and status = 'queued'`;
    return rows.map((row) => row.delivery_id);
  }

  async function write(batch: Pending[]): Promise<void> {
    // The same delivery id twice in one batch: the first is the delivery, the others are duplicates of it.
    const seen = new Set<string>();
    const unique: Pending[] = [];
    const repeats: Pending[] = [];
    for (const pending of batch) {
      if (seen.has(pending.delivery.deliveryId)) repeats.push(pending);
      else {
        seen.add(pending.delivery.deliveryId);
        unique.push(pending);
      }
    }

    let inserted: Set<string>;
    try {
      inserted = await insertRows(unique);
    } catch (error) {
      // One payload PostgreSQL refuses (a data exception) must not fail its neighbours: write them one by one.
      if (unique.length > 1 && isDataException(error)) {
        await Promise.all(unique.map((pending) => write([pending])));
        for (const pending of repeats) pending.resolve("duplicate");
        return;
      }
      for (const pending of batch) pending.reject(error);
      return;
    }

    const recorded = unique.filter((pending) => inserted.has(pending.delivery.deliveryId));
    const duplicates = unique.filter((pending) => !inserted.has(pending.delivery.deliveryId));
    try {
      const requeue = await stillQueued(duplicates.map((pending) => pending.delivery.deliveryId));
      const toQueue = [
        ...recorded.filter((pending) => pending.delivery.ignoredReason === undefined).map((pending) => pending.delivery.deliveryId),
        ...requeue,
      ];
      await queue.enqueueBulk(
        "webhooks",
        toQueue.map((deliveryId) => ({ name: PROCESS_DELIVERY_JOB, data: { deliveryId }, options: { jobId: deliveryJobId(deliveryId) } })),
      );
    } catch (error) {
      // Rows are written but their jobs may not be: answer 503 so GitHub marks the delivery failed; the row stays
      // `queued`, and the redelivery (manual or the hourly recovery) queues it.
      for (const pending of batch) pending.reject(error);
      return;
    }
    for (const pending of recorded) pending.resolve("recorded");
    for (const pending of [...duplicates, ...repeats]) pending.resolve("duplicate");
  }

  async function drain(): Promise<void> {
    writing = true;
    try {
      while (waiting.length > 0) {
        const batch = waiting.slice(0, MAX_BATCH);
        waiting = waiting.slice(batch.length);
        await write(batch).catch((error: unknown) => {
          for (const pending of batch) pending.reject(error);
        });
      }
    } finally {
      writing = false;
    }
  }

  return {
    record(delivery) {
      return new Promise<IntakeOutcome>((resolve, reject) => {
        waiting.push({ delivery, resolve, reject });
        // Start on the next turn of the event loop, so the requests already read in this turn share the batch.
        if (!writing) {
          writing = true;
          setImmediate(() => void drain());
        }
      });
    },
  };
}

/** PostgreSQL "data exception" (class 22): e.g. \u0000 or a lone surrogate, which jsonb cannot hold. */
export function isDataException(error: unknown): boolean {
  for (let current = error; current instanceof Error; current = current.cause) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && code.startsWith("22")) return true;
  }
  return false;
}
