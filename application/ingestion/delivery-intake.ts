import type postgres from "postgres";
import type { JobQueue } from "../../domain/ports.ts";
import { isDataException } from "../../infrastructure/db/errors.ts";
import { createGroupCommit } from "../../infrastructure/db/group-commit.ts";
import { JOB_CATALOG, PROCESS_DELIVERY_JOB } from "../job-catalog.ts";

/**
 * Group commit for the webhook route: the deliveries that arrive while one batch is being written wait and go
 * together in the next — one INSERT for all their rows, one Redis round trip for all their jobs. Under no load a
 * batch is one delivery and nothing waits; under load the batch grows with the load, so the per-delivery cost of a
 * database and a Redis round trip is shared (ADR 021). Every delivery still gets its own answer: recorded,
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
  /** The raw JSON text of an object (already parsed once by the receiver), stored as jsonb by PostgreSQL. */
  payloadText: string;
  /** Set for pings and events Sentinel does not process: recorded as `ignored`, no job. */
  ignoredReason?: string;
}

export type IntakeOutcome = "recorded" | "duplicate";

interface Pending {
  delivery: IncomingDelivery;
  /** performance.now() after which the delivery is answered 503, written or not. */
  deadline: number;
  settled: boolean;
  resolve(outcome: IntakeOutcome): void;
  reject(error: unknown): void;
  /** The promise's own reject, for the sweep (which has already marked the delivery settled). */
  rejectNow(error: unknown): void;
}

/** At most this many rows per INSERT; more waiting deliveries go in the next batch. */
const MAX_BATCH = 500;
/** Batches being written at once; a fraction of the connection pool, which pages and jobs share. */
const MAX_IN_FLIGHT = 4;
/**
 * GitHub waits 10 s; a delivery Sentinel cannot store is answered 503 long before that, so GitHub marks it failed.
 * The budget plus one sweep interval stays under a second.
 */
export const DEFAULT_INTAKE_BUDGET_MS = 850;
const SWEEP_INTERVAL_MS = 50;

export class IntakeDeadlineError extends Error {
  override name = "IntakeDeadlineError";
}

export interface DeliveryIntake {
  record(delivery: IncomingDelivery): Promise<IntakeOutcome>;
}

export function createDeliveryIntake(sql: postgres.Sql, queue: JobQueue, options: { budgetMs?: number } = {}): DeliveryIntake {
  const budgetMs = options.budgetMs ?? DEFAULT_INTAKE_BUDGET_MS;
  /** Deliveries not answered at the last sweep, and those that came since: what the sweep looks at. */
  const unanswered: Pending[] = [];
  let sweeper: NodeJS.Timeout | undefined;

  /**
   * One timer for all deliveries instead of a timer and a promise race per delivery (ADR 023): every sweep answers
   * the ones past their deadline with an error (→ 503), whether they still wait for a batch or their batch hangs.
   */
  function sweep(): void {
    const now = performance.now();
    let kept = 0;
    for (const pending of unanswered) {
      if (pending.settled) continue;
      if (pending.deadline <= now) {
        pending.settled = true;
        pending.rejectNow(new IntakeDeadlineError(`no answer within ${budgetMs} ms`));
      } else unanswered[kept++] = pending;
    }
    unanswered.length = kept;
    if (kept === 0) {
      clearInterval(sweeper);
      sweeper = undefined;
    }
  }

  async function insertRows(batch: Pending[]): Promise<Set<string>> {
    // One JSON array parameter with each payload spliced in as it arrived (it is valid JSON: the receiver parsed
    // it), so no payload is escaped again on the way to PostgreSQL.
    const rows = batch
      .map(({ delivery }) =>
        `{"d":${JSON.stringify(delivery.deliveryId)},"e":${JSON.stringify(delivery.event)},"a":${JSON.stringify(delivery.action)},` +
        `"i":${delivery.installationId ?? "null"},"r":${JSON.stringify(delivery.ignoredReason ?? null)},"p":${delivery.payloadText}}`,
      )
      .join(",");
    const inserted = await sql<{ delivery_id: string }[]>`
      insert into webhook_deliveries (delivery_id, event, action, installation_id, payload, status, error, processed_at)
      select d, e, a, i, p,
             case when r is null then 'queued' else 'ignored' end, r,
             case when r is null then null else now() end
      from jsonb_to_recordset(${`[${rows}]`}::jsonb) as t(d text, e text, a text, i bigint, r text, p jsonb)
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
        toQueue.map((deliveryId) => ({ name: PROCESS_DELIVERY_JOB, data: { deliveryId }, options: { jobId: JOB_CATALOG[PROCESS_DELIVERY_JOB].id(deliveryId) } })),
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

  // Up to MAX_IN_FLIGHT batches are written at once, so a batch waiting on its round trips does not hold up the
  // deliveries behind it; past that, waiting deliveries pile into bigger batches.
  const batches = createGroupCommit<Pending>({
    maxInFlight: MAX_IN_FLIGHT,
    takeGroup: (waiting) => waiting.splice(0, MAX_BATCH),
    runGroup: write,
    onGroupError(batch, error) {
      for (const pending of batch) pending.reject(error);
    },
  });

  return {
    record(delivery) {
      return new Promise<IntakeOutcome>((resolve, reject) => {
        const pending: Pending = {
          delivery,
          deadline: performance.now() + budgetMs,
          settled: false,
          // A delivery answered by the sweep stays in its batch (its row may still be written); its late outcome is dropped.
          resolve(outcome) {
            if (pending.settled) return;
            pending.settled = true;
            resolve(outcome);
          },
          reject(error) {
            if (pending.settled) return;
            pending.settled = true;
            reject(error);
          },
          rejectNow: reject,
        };
        unanswered.push(pending);
        if (sweeper === undefined) {
          sweeper = setInterval(sweep, SWEEP_INTERVAL_MS);
          sweeper.unref();
        }
        batches.add(pending);
      });
    },
  };
}
