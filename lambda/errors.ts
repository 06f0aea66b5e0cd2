/**
 * The few named errors of oom-responder. Input errors are not retryable (the handler logs and drops them);
 * delivery errors are (the handler rethrows them after every channel was tried, so Lambda retries and the
 * event finally lands in the dead-letter queue).
 */

/** The input is not something we can triage: malformed JSON shape, wrong event type, missing task ARN. */
export class InvalidInputError extends Error {
  override readonly name = 'InvalidInputError';
}

/** One or more alert channels failed after their own retries. `failures` names each channel and why. */
export class AlertDeliveryError extends Error {
  override readonly name = 'AlertDeliveryError';
  constructor(readonly failures: { channel: string; error: string }[]) {
    super(`alert delivery failed on ${failures.map((f) => `${f.channel} (${f.error})`).join(', ')}`);
  }
}

/** The function's configuration (environment) is unusable. Raised once at cold start. */
export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
