import type { Services } from "../application/services.ts";

// The server entry builds the services once per process and hands them to every loader and action.
// Route code reads them from `context.services`, never constructs its own clients.
declare module "@remix-run/node" {
  interface AppLoadContext {
    services: Services;
    /** This response's Content-Security-Policy nonce (the HTTP server makes one per request). */
    cspNonce?: string;
  }
}

export {};
