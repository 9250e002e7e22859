import { createCookieSessionStorage, type SessionStorage } from "@remix-run/node";
import type { Env } from "../config/env.ts";

export interface SessionData {
  userId: string;
  /** The organisation the user last opened; re-checked against memberships on every request. */
  orgId: string;
}

export interface SessionFlash {
  flash: string;
}

export type SentinelSessionStorage = SessionStorage<SessionData, SessionFlash>;

/**
 * The signed-in user lives in a signed cookie (remix-auth v4 keeps no session of its own). HttpOnly and
 * SameSite=Lax always, Secure in production. The first secret signs, all of them verify, so
 * SESSION_SECRET="new,old" rotates without signing everyone out.
 */
export function createSessionStorage(env: Pick<Env, "sessionSecrets" | "isProduction">): SentinelSessionStorage {
  return createCookieSessionStorage<SessionData, SessionFlash>({
    cookie: {
      name: env.isProduction ? "__Host-sentinel" : "sentinel_session",
      httpOnly: true,
      sameSite: "lax",
      secure: env.isProduction,
      path: "/",
      secrets: env.sessionSecrets,
      maxAge: 60 * 60 * 24 * 14,
    },
  });
}
