/**
 * How many bytes of webhook bodies the web process may hold before their signature is checked. The HMAC covers the
 * whole body, so a delivery's bytes are buffered before anyone knows it came from GitHub: without a cap, a hundred
 * connections declaring 25 MB each (GitHub's limit, and all it takes is a URL) hold 2.5 GB. One budget per process;
 * a request that does not fit is answered 503 at once, and its bytes are given back when it is verified, refused,
 * finished or dropped.
 *
 * GitHub's deliveries are mostly small (a push of a few commits is a few KB). Bodies over `SMALL_BODY_BYTES` may fill
 * only three quarters of the budget, so a pile of large bodies — slow ones, or a flood — cannot refuse the ordinary
 * deliveries that arrive meanwhile.
 */

/** A body up to this size may use the whole budget; a larger one only what leaves `SMALL_BODY_SHARE` of it free. */
export const SMALL_BODY_BYTES = 1024 * 1024;
/** The part of the budget that only small bodies may use. */
const SMALL_BODY_SHARE = 0.25;

export interface BodyBudget {
  readonly limitBytes: number;
  /** Bytes held right now by requests whose body is not verified yet. */
  heldBytes(): number;
  /**
   * A request's share of the budget: its declared Content-Length (when it has one) is taken at once, so a body that
   * cannot fit is refused before a byte of it is read. Null when it does not fit now.
   */
  open(declaredBytes: number | null): BodyClaim | null;
}

export interface BodyClaim {
  /** Counts `bytes` more of this request's body; false when they do not fit (refuse the request, stop reading). */
  take(bytes: number): boolean;
  /** Gives back everything this request holds. Safe to call more than once (verified, then the request closes). */
  release(): void;
}

export function createBodyBudget(limitBytes: number): BodyBudget {
  if (!Number.isSafeInteger(limitBytes) || limitBytes <= 0) throw new Error(`body budget must be a positive number of bytes, got ${limitBytes}`);
  const largeCeiling = Math.floor(limitBytes * (1 - SMALL_BODY_SHARE));
  let held = 0;

  /** Whether `extra` more bytes fit for a request that will then hold `claimTotal`. */
  const fits = (extra: number, claimTotal: number) => held + extra <= (claimTotal > SMALL_BODY_BYTES ? largeCeiling : limitBytes);

  return {
    limitBytes,
    heldBytes: () => held,
    open(declaredBytes) {
      // Counted: bytes received so far. Reserved: what this claim holds of the budget (at least the declared length).
      let counted = 0;
      let reserved = declaredBytes !== null && Number.isSafeInteger(declaredBytes) && declaredBytes > 0 ? declaredBytes : 0;
      if (reserved > 0 && !fits(reserved, reserved)) return null;
      held += reserved;
      let released = false;
      return {
        take(bytes) {
          if (released) return false;
          counted += bytes;
          if (counted <= reserved) return true;
          const extra = counted - reserved;
          if (!fits(extra, counted)) return false;
          held += extra;
          reserved = counted;
          return true;
        },
        release() {
          if (released) return;
          released = true;
          held -= reserved;
          reserved = 0;
        },
      };
    },
  };
}
