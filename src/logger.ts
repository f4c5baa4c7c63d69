/**
 * Where every line the inbox prints goes: `console` by default; pino, winston or any
 * logger with these three methods plugs in. Lines never carry a secret, a signature or
 * a payload: at most provider, event id, type, an error message and a stack.
 */
export interface Logger {
  info(message: string): void
  warn(message: string): void
  error(message: string): void
}

// Bound lazily, so a test that replaces console.error after createInbox() still sees the line.
export const consoleLogger: Logger = {
  info: (message) => console.info(message),
  warn: (message) => console.warn(message),
  error: (message) => console.error(message),
}

/** The stack of the error a handler threw (its own, not our wrapper's), bounded. */
export function stackOf(cause: unknown): string {
  const text = cause instanceof Error ? (cause.stack ?? `${cause.name}: ${cause.message}`) : String(cause)
  return text.slice(0, 4000)
}
