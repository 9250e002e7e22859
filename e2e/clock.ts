/**
 * The instant the e2e server runs at (SENTINEL_FIXED_NOW): the demo and every page's "last N days" are computed for it,
 * and specs that send times use it too, so nothing they see changes with the date they run on.
 */
export const E2E_NOW = "2026-11-20T12:00:00Z";
