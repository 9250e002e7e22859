import type { AppLoadContext } from "@remix-run/node";
import { describe, expect, it } from "vitest";
import { captureLogger } from "../tests/support/logs.ts";
import { handleError } from "./entry.server.tsx";

/** A failure in a loader, action or render is logged like every other line: JSON, through Sentinel's logger. */
describe("handleError", () => {
  const context = (logger: ReturnType<typeof captureLogger>["logger"]) => ({ services: { logger } }) as unknown as AppLoadContext;
  const args = (url: string, logger: ReturnType<typeof captureLogger>["logger"], init?: RequestInit) => ({
    request: new Request(url, init),
    params: {},
    context: context(logger),
  });

  it("writes one JSON error line with the path and the error, scrubbed of the secrets it quotes", () => {
    const capture = captureLogger();
    const error = new Error("connect ECONNREFUSED postgres://sentinel:hunter2-very-secret@db.internal:5432/sentinel");
    handleError(error, args("http://sentinel.test/alerts?status=open", capture.logger));
    const lines = capture.lines();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 50, msg: "request failed in a loader, action or render", method: "GET", path: "/alerts" });
    expect((lines[0]!.err as { message: string }).message).toContain("ECONNREFUSED");
    expect(capture.text()).not.toContain("hunter2-very-secret");
  });

  it("says nothing for an unknown URL (a 404 page) or a request the browser gave up on", () => {
    const capture = captureLogger();
    const notFound = { status: 404, statusText: "Not Found", internal: true, data: "No route matches URL" };
    handleError(notFound, args("http://sentinel.test/nope", capture.logger));
    const controller = new AbortController();
    controller.abort();
    handleError(new Error("aborted render"), args("http://sentinel.test/alerts", capture.logger, { signal: controller.signal }));
    expect(capture.lines()).toEqual([]);
  });
});
