import type { IncomingMessage } from "node:http";
import type { RequestHandler } from "express";
import type { Services } from "../runtime/services.ts";
import { answerGitHubWebhook } from "./github-webhook.server.ts";
import type { WebhookInput } from "./webhook-receiver.ts";

/**
 * `POST /api/webhooks/github` served by the web server itself, ahead of Remix (ADR 021): the same use-case as the
 * Remix resource route, without building a Fetch `Request` and matching every route of the app for each delivery.
 */
export function nodeWebhookInput(request: IncomingMessage): WebhookInput {
  return {
    header(name) {
      const value = request.headers[name];
      if (value === undefined) return null;
      return Array.isArray(value) ? value.join(", ") : value;
    },
    readBody(limit) {
      return new Promise((resolve, reject) => {
        const chunks: Buffer[] = [];
        let size = 0;
        const cleanup = () => {
          request.off("data", onData);
          request.off("end", onEnd);
          request.off("error", onError);
          request.off("aborted", onAborted);
        };
        const onData = (chunk: Buffer) => {
          size += chunk.byteLength;
          if (size > limit) {
            cleanup();
            request.resume();
            resolve({ ok: false });
            return;
          }
          chunks.push(chunk);
        };
        const onEnd = () => {
          cleanup();
          resolve({ ok: true, bytes: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size) });
        };
        const onError = (error: Error) => {
          cleanup();
          reject(error);
        };
        const onAborted = () => onError(new Error("the client closed the request before its body was read"));
        request.on("data", onData);
        request.on("end", onEnd);
        request.on("error", onError);
        request.on("aborted", onAborted);
      });
    },
    async discardBody() {
      request.resume();
    },
  };
}

export function githubWebhookHandler(services: Services): RequestHandler {
  return (request, response) => {
    answerGitHubWebhook(nodeWebhookInput(request), services).then(
      ({ status, body }) => {
        // Written directly (express's send would hash every answer for an ETag GitHub never uses).
        const json = JSON.stringify(body);
        response.writeHead(status, {
          "Content-Type": "application/json; charset=utf-8",
          "Content-Length": Buffer.byteLength(json),
          // A refused oversized body is not read to its end: close the connection rather than reuse it.
          ...(status === 413 ? { Connection: "close" } : {}),
        });
        response.end(json);
      },
      (error: unknown) => {
        // Only a client that went away mid-body gets here; there is nobody to answer.
        services.logger.debug({ error: error instanceof Error ? error.message : String(error) }, "webhook request abandoned");
        response.destroy();
      },
    );
  };
}
