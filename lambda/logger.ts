/**
 * The one Powertools logger of the function: structured JSON, `service` from POWERTOOLS_SERVICE_NAME.
 * Every line after the event is parsed carries clusterArn, taskArn and container; outcome lines carry verdict.
 * Secrets (the webhook URL) are never passed to it.
 */
import { Logger } from '@aws-lambda-powertools/logger';

export const logger = new Logger({ serviceName: process.env['POWERTOOLS_SERVICE_NAME'] ?? 'oom-responder' });
