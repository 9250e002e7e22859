import { createContext, useContext } from "react";

/**
 * The Content-Security-Policy nonce of the response being rendered (entry.server.tsx provides it). In the browser
 * it is undefined: scripts added after hydration are Remix's module imports, allowed by 'self'.
 */
export const NonceContext = createContext<string | undefined>(undefined);

export function useNonce(): string | undefined {
  return useContext(NonceContext);
}
