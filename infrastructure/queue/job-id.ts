/**
 * The one sanitiser of job ids and lock keys: BullMQ reserves ':' in job ids, so every part built from outside data
 * keeps letters, digits, '_', '.' and '-' and turns anything else into '_'. (Delivery ids, uuids, dates and detector
 * versions all pass unchanged; a ':' in an hour like "2026-03-03T10:00" does not.)
 */
export function jobIdPart(value: string): string {
  return value.replace(/[^A-Za-z0-9_.-]/g, "_");
}
