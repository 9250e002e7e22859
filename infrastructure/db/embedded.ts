import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import type { Logger } from "../logging/logger.ts";

/**
 * The zero-setup database: PGlite (PostgreSQL compiled to WASM) stored in SENTINEL_DATA_DIR, served on a
 * loopback port so the rest of Sentinel talks to it with the same postgres.js driver as to a real server.
 *
 * PGlite has no file lock and two processes writing one data directory lose data silently (docs/stack.md), so
 * this process takes an ownership file first and refuses to start when a live process already holds it.
 */

export class EmbeddedDatabaseInUseError extends Error {
  override name = "EmbeddedDatabaseInUseError";
  constructor(dataDir: string, holder: { pid: number; startedAt?: string }) {
    super(
      `The embedded database in ${dataDir} is already in use by process ${holder.pid}` +
        (holder.startedAt ? ` (started ${holder.startedAt})` : "") +
        ". PGlite allows one process per data directory: stop that process, point SENTINEL_DATA_DIR elsewhere, " +
        "or set DATABASE_URL to a PostgreSQL server to run web and worker processes apart.",
    );
  }
}

export interface EmbeddedPostgres {
  url: string;
  dataDir: string;
  stop(): Promise<void>;
}

const OWNER_FILE = "sentinel.owner.json";

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Creates the owner file atomically (O_EXCL); replaces it only when its process is gone. */
export function claimDataDirectory(dataDir: string): () => void {
  fs.mkdirSync(dataDir, { recursive: true });
  const ownerPath = path.join(dataDir, OWNER_FILE);
  const record = JSON.stringify({ pid: process.pid, host: os.hostname(), startedAt: new Date().toISOString() });
  for (let attempt = 0; attempt < 3; attempt += 1) {
    try {
      fs.writeFileSync(ownerPath, record, { flag: "wx" });
      return () => {
        try {
          const current = JSON.parse(fs.readFileSync(ownerPath, "utf8")) as { pid: number };
          if (current.pid === process.pid) fs.unlinkSync(ownerPath);
        } catch {
          // Already gone: nothing to release.
        }
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      let holder: { pid: number; startedAt?: string; host?: string } | undefined;
      try {
        holder = JSON.parse(fs.readFileSync(ownerPath, "utf8"));
      } catch {
        holder = undefined; // Unreadable: a crash while writing it. Treat as stale.
      }
      const sameHost = holder?.host === undefined || holder.host === os.hostname();
      if (holder && sameHost && (holder.pid === process.pid || isProcessAlive(holder.pid))) {
        throw new EmbeddedDatabaseInUseError(dataDir, holder);
      }
      fs.rmSync(ownerPath, { force: true });
    }
  }
  throw new Error(`Could not claim ${ownerPath}; remove it if no Sentinel process is running.`);
}

async function findFreeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function startEmbeddedPostgres(dataDir: string, logger: Logger): Promise<EmbeddedPostgres> {
  const release = claimDataDirectory(dataDir);
  const pgDataDir = path.join(dataDir, "pgdata");
  const firstStart = !fs.existsSync(path.join(pgDataDir, "PG_VERSION"));
  if (firstStart) logger.info({ dataDir: pgDataDir }, "creating the embedded database (first start only, ~10 s)");
  let pglite: PGlite | undefined;
  try {
    pglite = await PGlite.create(pgDataDir);
    let server: PGLiteSocketServer | undefined;
    let port = 0;
    for (let attempt = 0; attempt < 5 && !server; attempt += 1) {
      port = await findFreeLoopbackPort();
      const candidate = new PGLiteSocketServer({ db: pglite, host: "127.0.0.1", port, maxConnections: 1 });
      try {
        await candidate.start();
        server = candidate;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EADDRINUSE") throw error;
      }
    }
    if (!server) throw new Error("could not find a free loopback port for the embedded database");
    const started = server;
    const db = pglite;
    logger.info({ dataDir: pgDataDir, port }, "embedded PostgreSQL (PGlite) ready");
    return {
      url: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`,
      dataDir: pgDataDir,
      async stop() {
        try {
          await started.stop();
          await db.close();
        } finally {
          release();
        }
      },
    };
  } catch (error) {
    await pglite?.close().catch(() => {});
    release();
    throw error;
  }
}
