/** The handler's client time limits turn a hung AWS endpoint into an error, not a silent wait. */
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { CLIENT_LIMITS, clientOptions, within } from '../lambda/aws-timeouts';

let server: Server;
let port = 0;
const sockets: Socket[] = [];

beforeAll(async () => {
  // Accepts connections and never answers: a black hole.
  server = createServer((socket) => void sockets.push(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('within()', () => {
  it('makes a request to an endpoint that never answers fail after the request timeout', async () => {
    const client = new DynamoDBClient({
      region: 'eu-west-1',
      endpoint: `http://127.0.0.1:${port}`,
      credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
      maxAttempts: 1,
      requestHandler: within(300, 300),
    });
    const started = Date.now();
    await expect(client.send(new GetItemCommand({ TableName: 't', Key: { pk: { S: 'k' } } }))).rejects.toThrow(/timeout|timed out/i);
    expect(Date.now() - started).toBeLessThan(5_000);
    client.destroy();
  });
});

describe('the handler\'s client limits (as the README states them)', () => {
  it('DynamoDB 2 s, Secrets Manager 3 s, ECS, SNS and S3 5 s, CloudWatch 8 s, every one throwing on timeout', () => {
    expect(Object.fromEntries(Object.entries(CLIENT_LIMITS).map(([k, v]) => [k, v.requestMs]))).toEqual({
      dynamodb: 2_000, secretsManager: 3_000, ecs: 5_000, sns: 5_000, s3: 5_000, cloudwatch: 8_000,
    });
    for (const name of Object.keys(CLIENT_LIMITS) as (keyof typeof CLIENT_LIMITS)[]) {
      expect(clientOptions(name).requestHandler.throwOnRequestTimeout).toBe(true);
    }
  });
});
