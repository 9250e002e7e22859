import http from "node:http";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHttpFetch } from "./http-fetch.ts";

/**
 * The keep-alive fetch the GitHub client hands to octokit (ADR 022) behaves as the global fetch does where octokit
 * and GitHub rely on it: redirects followed (without the token across origins), gzip inflated, a reused socket the
 * server closed retried once, and the abort signal honoured.
 */

type Handler = (request: http.IncomingMessage, response: http.ServerResponse) => void;

async function listen(handler: Handler): Promise<{ server: http.Server; url: string }> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

let primary: { server: http.Server; url: string };
let other: { server: http.Server; url: string };
const seen: Array<{ path: string; authorization?: string; socket: number }> = [];
let sockets = 0;
let dropped = false;
const fetch = createHttpFetch();

beforeAll(async () => {
  other = await listen((request, response) => {
    seen.push({ path: `other${request.url}`, authorization: request.headers.authorization, socket: -1 });
    response.writeHead(200, { "content-type": "application/json" }).end('{"where":"other"}');
  });
  primary = await listen((request, response) => {
    const socket = request.socket as typeof request.socket & { sentinelId?: number };
    socket.sentinelId ??= ++sockets;
    seen.push({ path: request.url!, authorization: request.headers.authorization, socket: socket.sentinelId });
    if (request.url === "/moved") return void response.writeHead(301, { location: "/repos/new-name" }).end();
    if (request.url === "/elsewhere") return void response.writeHead(307, { location: `${other.url}/landing` }).end();
    if (request.url === "/gzip") {
      expect(request.headers["accept-encoding"]).toContain("gzip");
      return void response.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip" }).end(gzipSync('{"files":[1,2,3]}'));
    }
    if (request.url === "/slow") return void setTimeout(() => response.writeHead(200).end("late"), 2_000);
    if (request.url === "/dropped-once" && !dropped) {
      // The server closed this kept-alive socket just as the request went out on it (an idle timeout race).
      dropped = true;
      return void request.socket.destroy();
    }
    response.writeHead(200, { "content-type": "application/json", "x-ratelimit-remaining": "4999", link: '<x>; rel="next"' }).end(`{"path":"${request.url}"}`);
  });
});

afterAll(async () => {
  fetch.close();
  await new Promise((resolve) => primary?.server.close(resolve));
  await new Promise((resolve) => other?.server.close(resolve));
});

describe("createHttpFetch", () => {
  it("answers with status, url, headers and the body, and reuses one socket for consecutive requests", async () => {
    seen.length = 0;
    const first = await fetch(`${primary.url}/a`, { method: "GET", headers: { authorization: "token t" } });
    const second = await fetch(`${primary.url}/b`, { method: "GET", headers: { authorization: "token t" } });
    expect(first.status).toBe(200);
    expect(first.url).toBe(`${primary.url}/a`);
    expect(first.headers.get("X-RateLimit-Remaining")).toBe("4999");
    expect(Object.fromEntries(first.headers)).toMatchObject({ "content-type": "application/json", link: '<x>; rel="next"' });
    expect(JSON.parse(await first.text())).toEqual({ path: "/a" });
    expect(JSON.parse(second.body.toString())).toEqual({ path: "/b" });
    expect(seen[0]!.socket).toBe(seen[1]!.socket);
  });

  it("follows a redirect on the same origin with the token, and across origins without it", async () => {
    seen.length = 0;
    const moved = await fetch(`${primary.url}/moved`, { headers: { authorization: "token t" } });
    expect(moved.url).toBe(`${primary.url}/repos/new-name`);
    expect(seen.at(-1)).toMatchObject({ path: "/repos/new-name", authorization: "token t" });
    const elsewhere = await fetch(`${primary.url}/elsewhere`, { headers: { authorization: "token t" } });
    expect(JSON.parse(await elsewhere.text())).toEqual({ where: "other" });
    expect(seen.at(-1)).toEqual({ path: "other/landing", authorization: undefined, socket: -1 });
  });

  it("inflates a gzip body and drops the encoding header it no longer describes", async () => {
    const response = await fetch(`${primary.url}/gzip`);
    expect(JSON.parse(await response.text())).toEqual({ files: [1, 2, 3] });
    expect(response.headers.get("content-encoding")).toBeNull();
  });

  it("sends a request again when the kept-alive socket it was given had been closed by the server", async () => {
    seen.length = 0;
    await fetch(`${primary.url}/warm`);
    const response = await fetch(`${primary.url}/dropped-once`);
    expect(JSON.parse(await response.text())).toEqual({ path: "/dropped-once" });
    expect(seen.map((request) => request.path)).toEqual(["/warm", "/dropped-once", "/dropped-once"]);
    expect(seen[2]!.socket).not.toBe(seen[1]!.socket);
  });

  it("gives up when the signal aborts, with an AbortError (octokit turns it into a retryable failure)", async () => {
    const error = await fetch(`${primary.url}/slow`, { signal: AbortSignal.timeout(100) }).catch((caught: unknown) => caught);
    expect((error as Error).name).toBe("AbortError");
  });
});
