import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, waitForLockWaiter, type TestDatabase } from "../../tests/support/database.ts";

/**
 * postgres.js 3.4.9 left a query on a connection whose backend died either waiting for ever or crashing the whole
 * process with an uncatchable TypeError (porsager/postgres#1208; the chaos run and CI saw both). Sentinel patches the
 * driver at install time (scripts/patch-dependencies.mjs, ADR 061). These tests fail without that patch: the
 * reserved case waits for ever, the transaction case crashes or hangs depending on timing.
 */

let database: TestDatabase;
let admin: postgres.Sql;

beforeAll(async () => {
  database = await createTestDatabase({ empty: true });
  admin = postgres(database.url, { max: 2, onnotice: () => {} });
  await admin`create table notes (id serial primary key, body text not null)`;
  await admin`create table gate (id int)`;
});

afterAll(async () => {
  await admin?.end({ timeout: 1 });
  await database?.drop();
});

async function backendPid(connection: postgres.ReservedSql): Promise<number> {
  const rows = await connection<{ pid: number }[]>`select pg_backend_pid() as pid`;
  return rows[0]!.pid;
}

/** The outcome of a query within `ms`: its rows, the error's code, or "still waiting". */
async function outcome(query: Promise<unknown>, ms = 5_000): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => (timer = setTimeout(() => resolve("still waiting"), ms)));
  try {
    return await Promise.race([
      query.then(
        () => "ok",
        (error: { code?: string }) => `rejected ${error.code ?? String(error)}`,
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The dead connection goes back to the pool, so the next query may land on it and fail once (the driver then
 * reconnects it; Sentinel's jobs retry): every query settles, and by the second one the pool serves again.
 */
async function expectPoolRecovers(): Promise<void> {
  const outcomes = [await outcome(database.sql`select 1`), await outcome(database.sql`select 1`), await outcome(database.sql`select 1`)];
  expect(outcomes.slice(1)).toEqual(["ok", "ok"]);
  expect(outcomes[0]).toMatch(/^(ok|rejected \S+)$/);
}

describe("a PostgreSQL connection terminated under the driver", () => {
  it("rejects every later query on a reserved connection instead of waiting for ever, and the pool goes on", async () => {
    const reserved = await database.sql.reserve();
    try {
      const pid = await backendPid(reserved);
      await admin`select pg_terminate_backend(${pid})`;
      for (let attempt = 0; attempt < 3; attempt += 1) {
        expect(await outcome(reserved`select 1`)).toMatch(/^rejected (CONNECTION_CLOSED|ECONNRESET)$/);
      }
    } finally {
      reserved.release();
    }
    await expectPoolRecovers();
  });

  it("fails a transaction whose backend is terminated while it waits, writes nothing, and serves the next query", async () => {
    // Ten rounds: the race between the socket's error, its close and the ROLLBACK the transaction sends lands
    // differently from round to round; each ordering used to hang or crash.
    for (let round = 0; round < 10; round += 1) {
      const blocker = await admin.reserve();
      try {
        await blocker`begin`;
        await blocker`lock table gate in access exclusive mode`;
        const transaction = database.db.transaction(async (tx) => {
          await tx.execute(`insert into notes (body) values ('round ${round}')`);
          await tx.execute("select * from gate");
        });
        // Listen at once: its connection's close can be seen before pg_terminate_backend's answer.
        const settled = outcome(transaction, 15_000);
        const pid = await waitForLockWaiter(admin, database.name, { timeoutMs: 5_000, what: "the transaction waiting on the lock" });
        await admin`select pg_terminate_backend(${pid})`;
        expect(await settled).toMatch(/^rejected /);
        await blocker`rollback`;
      } finally {
        blocker.release();
      }
      await expectPoolRecovers();
    }
    const rows = await database.sql<{ n: number }[]>`select count(*)::int as n from notes`;
    expect(rows[0]?.n).toBe(0);
  });

  it("lets a pool whose connection was terminated shut down at once instead of waiting out its end timeout", async () => {
    // The web and worker processes end their pool on SIGTERM; after a PostgreSQL restart this used to take the
    // whole timeout (5 s in Sentinel), with a dead connection's finished query still counted as running.
    const pool = postgres(database.url, { max: 2, onnotice: () => {} });
    const reserved = await pool.reserve();
    const pid = await backendPid(reserved);
    await admin`select pg_terminate_backend(${pid})`;
    expect(await outcome(reserved`select 1`)).toMatch(/^rejected /);
    reserved.release();
    expect(await outcome(pool.end({ timeout: 30 }), 3_000)).toBe("ok");
  });

  it("does not lose a pool slot to a dead connection: a one-connection pool keeps serving, round after round", async () => {
    const pool = postgres(database.url, { max: 1, onnotice: () => {} });
    try {
      for (let round = 0; round < 5; round += 1) {
        const reserved = await pool.reserve();
        const pid = await backendPid(reserved);
        await admin`select pg_terminate_backend(${pid})`;
        expect(await outcome(reserved`select 1`)).toMatch(/^rejected /);
        reserved.release();
        const outcomes: string[] = [];
        for (let query = 0; query < 4; query += 1) outcomes.push(await outcome(pool`select 1`));
        expect(outcomes.slice(2)).toEqual(["ok", "ok"]);
      }
    } finally {
      await pool.end({ timeout: 1 });
    }
  });
});
