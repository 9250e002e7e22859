import { readdirSync, readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rejectCrossOriginWrites } from "./http-server.ts";

/**
 * Catalogue row 36 and issue 7: every state-changing form is protected against cross-site requests. The guard runs in
 * front of every route of the web server; these requests go through it over real HTTP, with a handler behind it
 * that records what got through.
 */

const ROUTES_DIR = join(import.meta.dirname, "../app/routes");

/** The URL of every route module with an action (a form), from Remix's flat file names; params get a sample id. */
function formRoutes(): string[] {
  return readdirSync(ROUTES_DIR)
    .filter((file) => /\.tsx?$/.test(file) && !file.endsWith(".test.ts") && !file.endsWith(".test.tsx"))
    .filter((file) => /export (async function|const) action\b/.test(readFileSync(join(ROUTES_DIR, file), "utf8")))
    .map((file) => file.replace(/\.tsx?$/, ""))
    .map((name) =>
      `/${name
        .split(".")
        .filter((segment) => segment !== "_index")
        .map((segment) => (segment.startsWith("$") ? "00000000-0000-4000-8000-000000000001" : segment))
        .join("/")}`,
    );
}

let base: string;
let server: ReturnType<express.Express["listen"]>;
const reached: string[] = [];

beforeAll(async () => {
  const app = express();
  app.use(rejectCrossOriginWrites);
  app.use((request, response) => {
    reached.push(`${request.method} ${request.path}`);
    response.status(200).send("handled");
  });
  server = app.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

async function post(path: string, headers: Record<string, string>): Promise<number> {
  const response = await fetch(`${base}${path}`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    body: "intent=anything",
  });
  return response.status;
}

describe("cross-site form posts", () => {
  const cookieRoutes = formRoutes().filter((path) => !path.startsWith("/api/"));

  it("finds the dashboard's forms", () => {
    // A sanity floor, so a broken file-name mapping cannot make the next test pass on an empty list.
    expect(cookieRoutes).toEqual(expect.arrayContaining(["/alerts", "/incidents/new", "/settings/api-keys", "/settings/members", "/org/switch", "/logout"]));
    expect(cookieRoutes.length).toBeGreaterThanOrEqual(14);
  });

  it("refuses a post from another site to every form, before it reaches the route", async () => {
    reached.length = 0;
    for (const path of cookieRoutes) {
      expect({ path, status: await post(path, { origin: "https://attacker.example" }) }).toEqual({ path, status: 403 });
      // A sandboxed frame sends Origin: null; the browser's Fetch Metadata says where it came from.
      expect({ path, status: await post(path, { origin: "null", "sec-fetch-site": "cross-site" }) }).toEqual({ path, status: 403 });
      // Old browsers without Origin, but with Fetch Metadata.
      expect({ path, status: await post(path, { "sec-fetch-site": "same-site" }) }).toEqual({ path, status: 403 });
    }
    expect(reached).toEqual([]);
  });

  it("lets the same origin post, and reads a malformed Origin as foreign", async () => {
    reached.length = 0;
    const host = new URL(base).host;
    expect(await post("/alerts", { origin: base })).toBe(200);
    expect(await post("/alerts", { origin: "null", "sec-fetch-site": "same-origin" })).toBe(200);
    // No Origin and no Fetch Metadata: not a browser (curl, scripts), which carries no victim's cookie by itself.
    expect(await post("/alerts", {})).toBe(200);
    // Behind a proxy, the forwarded host is the one the browser saw.
    expect(await post("/alerts", { origin: "https://sentinel.example.com", "x-forwarded-host": "sentinel.example.com" })).toBe(200);
    expect(await post("/alerts", { origin: "http://not a url" })).toBe(403);
    expect(await post("/alerts", { origin: `http://${host}.attacker.example` })).toBe(403);
    expect(reached).toEqual(["POST /alerts", "POST /alerts", "POST /alerts", "POST /alerts"]);
  });

  it("leaves reads, webhooks and bearer-key API calls alone (no cookie authenticates them)", async () => {
    reached.length = 0;
    const get = await fetch(`${base}/alerts`, { headers: { origin: "https://attacker.example" } });
    expect(get.status).toBe(200);
    expect(await post("/api/webhooks/github", { origin: "https://github.com" })).toBe(200);
    expect(await post("/api/v1/incidents", { origin: "https://ci.example", authorization: "Bearer snt_x" })).toBe(200);
    // Without its bearer key, an API post from another site is refused like a form.
    expect(await post("/api/v1/incidents", { origin: "https://attacker.example" })).toBe(403);
    expect(reached).toEqual(["GET /alerts", "POST /api/webhooks/github", "POST /api/v1/incidents"]);
  });
});
