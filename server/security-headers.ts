import { randomBytes } from "node:crypto";
import type { NextFunction, Request, RequestHandler, Response } from "express";

/**
 * The page's policy. Scripts: Sentinel's own files and the inline scripts Remix renders with this request's nonce
 * (hydration data, route modules, scroll restoration) — an injected script has neither. Styles allow 'unsafe-inline':
 * Tremor's charts (Recharts) and Headless UI position things with `style` attributes, which style-src governs, and
 * a nonce cannot cover attributes; CSS cannot run script, so this is the usual trade. Images allow `data:` for the
 * form controls' SVG icons in Tailwind's CSS. Forms may post anywhere: sign-in and the GitHub App setup leave for
 * GitHub (whose address is configurable), and form-action would also block those redirects.
 */
export function contentSecurityPolicy(nonce: string): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}'`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/** The nonce entry.server.tsx puts on every script of this response; read it with `cspNonceOf`. */
export function cspNonceOf(response: Response): string {
  return response.locals.cspNonce as string;
}

/**
 * Headers on every answer express gives: a fresh CSP nonce per request, no framing (clickjacking), no MIME
 * sniffing, referrers cut to the origin off-site. HSTS only in production, where Sentinel is served over HTTPS
 * (browsers ignore it on plain HTTP anyway); in development it would pin localhost to HTTPS for a year.
 */
export function securityHeaders(options: { strictTransportSecurity: boolean }): RequestHandler {
  return (_request: Request, response: Response, next: NextFunction) => {
    const nonce = randomBytes(16).toString("base64");
    response.locals.cspNonce = nonce;
    response.setHeader("Content-Security-Policy", contentSecurityPolicy(nonce));
    response.setHeader("X-Content-Type-Options", "nosniff");
    response.setHeader("X-Frame-Options", "DENY");
    response.setHeader("Referrer-Policy", "strict-origin-when-cross-origin");
    if (options.strictTransportSecurity) response.setHeader("Strict-Transport-Security", "max-age=31536000; includeSubDomains");
    next();
  };
}
