/**
 * The logging surface the queue layer needs. The argument order is pino's (`fields`, then `message`), so a
 * pino logger can be passed as is. Nothing here writes to the console: a test that logs `console.error` fails.
 */
export interface QueueLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

export const noopLogger: QueueLogger = {
  info() {},
  warn() {},
  error() {},
};

export function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
