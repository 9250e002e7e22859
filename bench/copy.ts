import type postgres from "postgres";

const SPECIAL = /[\\\n\r\t]/;

/** Backslash escapes for COPY's text format (only when needed: most values have nothing to escape). */
function escapeText(text: string): string {
  return SPECIAL.test(text) ? text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/\r/g, "\\r").replace(/\t/g, "\\t") : text;
}

/** One value in COPY's text format: `\N` for null, JSON for objects and arrays, backslash escapes for text. */
export function copyField(value: unknown): string {
  switch (typeof value) {
    case "string":
      return escapeText(value);
    case "number":
      return String(value);
    case "boolean":
      return value ? "t" : "f";
    case "object": {
      if (value === null) return "\\N";
      if (value instanceof Date) return value.toISOString();
      // JSON has no raw newlines or tabs; only its own backslash escapes need doubling.
      const json = JSON.stringify(value);
      return json.includes("\\") ? json.replace(/\\/g, "\\\\") : json;
    }
    default:
      return "\\N";
  }
}

/** One row in COPY's text format, newline included. */
export function copyLine(values: readonly unknown[]): string {
  return `${values.map(copyField).join("\t")}\n`;
}

const CHUNK_BYTES = 256 * 1024;

/**
 * `COPY table (columns) FROM STDIN` as a stream of rows (postgres.js `.writable()`): one statement per table, rows
 * written in chunks with back-pressure, so millions of rows load at COPY speed without being held in memory.
 * Runs on whatever `sql` is given — a transaction's, so the rows commit or vanish with it.
 */
export class CopyWriter {
  private buffer: string[] = [];
  private bufferedBytes = 0;
  rows = 0;

  private constructor(
    private readonly stream: NodeJS.WritableStream,
    private readonly finished: Promise<void>,
    readonly columns: readonly string[],
  ) {}

  static async open(sql: postgres.Sql | postgres.TransactionSql, table: string, columns: readonly string[]): Promise<CopyWriter> {
    const stream = await sql.unsafe(`copy ${table} (${columns.join(", ")}) from stdin`).writable();
    const finished = new Promise<void>((resolve, reject) => {
      stream.on("finish", resolve);
      stream.on("error", reject);
    });
    // A failed COPY rejects `finished`; until end() awaits it, keep the rejection from going unhandled.
    finished.catch(() => {});
    return new CopyWriter(stream, finished, columns);
  }

  /** Values in the order of `columns`. Await it: it waits when PostgreSQL falls behind. */
  async write(values: readonly unknown[]): Promise<void> {
    await this.writeLine(copyLine(values));
  }

  /** A row already formatted by `copyLine`. */
  async writeLine(line: string): Promise<void> {
    this.buffer.push(line);
    this.bufferedBytes += line.length;
    this.rows += 1;
    if (this.bufferedBytes >= CHUNK_BYTES) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.buffer.length === 0) return;
    const chunk = this.buffer.join("");
    this.buffer = [];
    this.bufferedBytes = 0;
    if (!this.stream.write(chunk)) {
      await new Promise<void>((resolve, reject) => {
        const onDrain = () => {
          this.stream.off("error", onError);
          resolve();
        };
        const onError = (error: Error) => {
          this.stream.off("drain", onDrain);
          reject(error);
        };
        this.stream.once("drain", onDrain);
        this.stream.once("error", onError);
      });
    }
  }

  /** Sends the rest and waits until PostgreSQL has accepted every row (a bad row rejects here). */
  async end(): Promise<number> {
    await this.flush();
    this.stream.end();
    await this.finished;
    return this.rows;
  }
}
