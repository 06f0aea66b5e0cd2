/**
 * Time limits for the AWS SDK clients: a hung connection becomes an error (a warning in the alert, a failed channel
 * and a retry) instead of eating the function's 60 s. `throwOnRequestTimeout`: recent SDKs (node-http-handler 4.x)
 * only log a warning when `requestTimeout` passes unless it is set.
 */
export function within(requestTimeout: number, connectionTimeout = 2_000) {
  return { requestTimeout, connectionTimeout, throwOnRequestTimeout: true };
}

/** Each client's request limit (ms) and attempts, as the handler builds them. */
export const CLIENT_LIMITS = {
  dynamodb: { requestMs: 2_000, connectMs: 1_000, attempts: 2 },
  secretsManager: { requestMs: 3_000, connectMs: 2_000, attempts: 2 },
  ecs: { requestMs: 5_000, connectMs: 2_000, attempts: 2 },
  sns: { requestMs: 5_000, connectMs: 2_000, attempts: 3 },
  s3: { requestMs: 5_000, connectMs: 2_000, attempts: 2 },
  cloudwatch: { requestMs: 8_000, connectMs: 2_000, attempts: 2 },
} as const;

/** The SDK client options for one of `CLIENT_LIMITS`. */
export function clientOptions(name: keyof typeof CLIENT_LIMITS) {
  const l = CLIENT_LIMITS[name];
  return { maxAttempts: l.attempts, requestHandler: within(l.requestMs, l.connectMs) };
}
