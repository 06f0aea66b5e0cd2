/**
 * Time limits for the AWS SDK clients: a hung connection becomes an error (a warning in the alert, a failed channel
 * and a retry) instead of eating the function's 60 s. `throwOnRequestTimeout`: recent SDKs (node-http-handler 4.x)
 * only log a warning when `requestTimeout` passes unless it is set.
 */
export function within(requestTimeout: number, connectionTimeout = 2_000) {
  return { requestTimeout, connectionTimeout, throwOnRequestTimeout: true };
}
