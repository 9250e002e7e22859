import http from "node:http";
import https from "node:https";
import { gunzip } from "node:zlib";
import { promisify } from "node:util";

const gunzipAsync = promisify(gunzip);

/**
 * The `fetch` Sentinel's GitHub client hands to octokit (ADR 022): node:http with keep-alive agents instead of the
 * global fetch (undici's WHATWG layer: Request/Response objects, web streams and header guards per call, which
 * cost the analysis worker more CPU per commit than the detection engine). It implements what @octokit/request
 * reads: status, url, headers (iterable, `get`), `text()`, `arrayBuffer()`, and `body` — the raw bytes, for callers
 * that parse the JSON themselves (`parseSuccessResponseBody: false`). Follows redirects as fetch does (GitHub
 * answers 301/307 for renamed repositories), dropping Authorization when the origin changes; asks for gzip and
 * inflates it; retries a request once when a kept-alive socket turns out closed by the server.
 */

export interface MinimalResponse {
  status: number;
  statusText: string;
  url: string;
  headers: ResponseHeaders;
  body: Buffer;
  text(): Promise<string>;
  arrayBuffer(): Promise<ArrayBuffer>;
}

export class ResponseHeaders {
  constructor(private readonly values: Map<string, string>) {}
  get(name: string): string | null {
    return this.values.get(name.toLowerCase()) ?? null;
  }
  has(name: string): boolean {
    return this.values.has(name.toLowerCase());
  }
  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.values.entries();
  }
}

interface FetchInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer | null;
  signal?: AbortSignal | null;
  redirect?: "follow" | "manual" | "error";
}

const MAX_REDIRECTS = 5;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

function headerMap(headers: http.IncomingHttpHeaders): Map<string, string> {
  const values = new Map<string, string>();
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    values.set(name, Array.isArray(value) ? value.join(", ") : value);
  }
  return values;
}

function isStaleSocketError(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === "ECONNRESET" || code === "EPIPE";
}

export function createHttpFetch(options: { maxSocketsPerHost?: number } = {}) {
  // Free sockets are closed after 15 s, before servers drop them (Node also honours a server's keep-alive hint).
  const agentOptions = { keepAlive: true, maxSockets: options.maxSocketsPerHost ?? 64, timeout: 15_000, scheduling: "lifo" as const };
  const agents = { "http:": new http.Agent(agentOptions), "https:": new https.Agent(agentOptions) };

  function send(url: URL, init: FetchInit, retried = false): Promise<{ response: http.IncomingMessage; body: Buffer }> {
    return new Promise((resolve, reject) => {
      const transport = url.protocol === "https:" ? https : http;
      const agent = url.protocol === "https:" ? agents["https:"] : agents["http:"];
      const request = transport.request(url, {
        method: init.method ?? "GET",
        headers: { "accept-encoding": "gzip", ...init.headers },
        agent,
        ...(init.signal ? { signal: init.signal } : {}),
      });
      request.on("error", (error) => {
        // A kept-alive socket the server closed meanwhile: the request never reached it, so sending again is safe.
        if (!retried && request.reusedSocket && isStaleSocketError(error)) send(url, init, true).then(resolve, reject);
        else reject(error);
      });
      request.once("response", (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("error", reject);
        response.once("end", () => {
          const raw = Buffer.concat(chunks);
          if (response.headers["content-encoding"] !== "gzip") return resolve({ response, body: raw });
          gunzipAsync(raw).then((body) => resolve({ response, body }), reject);
        });
      });
      request.end(init.body ?? undefined);
    });
  }

  async function fetch(input: string | URL, init: FetchInit = {}): Promise<MinimalResponse> {
    let url = new URL(String(input));
    let current = { ...init, headers: { ...init.headers } };
    for (let redirects = 0; ; redirects += 1) {
      const { response, body } = await send(url, current);
      const status = response.statusCode ?? 0;
      const location = response.headers.location;
      if (REDIRECTS.has(status) && location && current.redirect !== "manual") {
        if (current.redirect === "error" || redirects >= MAX_REDIRECTS) throw new TypeError(`too many redirects (or redirect: "error") at ${url}`);
        const next = new URL(location, url);
        if (next.origin !== url.origin) {
          const { authorization: _dropped, ...rest } = current.headers;
          current = { ...current, headers: rest };
        }
        if (status === 303 || ((status === 301 || status === 302) && current.method === "POST")) {
          const { "content-type": _type, "content-length": _length, ...rest } = current.headers;
          current = { ...current, method: "GET", body: null, headers: rest };
        }
        url = next;
        continue;
      }
      const headers = headerMap(response.headers);
      // The body is already inflated: the header no longer describes it.
      headers.delete("content-encoding");
      headers.delete("content-length");
      return {
        status,
        statusText: response.statusMessage ?? "",
        url: url.toString(),
        headers: new ResponseHeaders(headers),
        body,
        text: async () => body.toString("utf8"),
        arrayBuffer: async () => body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer,
      };
    }
  }

  return Object.assign(fetch, {
    close(): void {
      agents["http:"].destroy();
      agents["https:"].destroy();
    },
  });
}
