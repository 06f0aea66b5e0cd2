/**
 * A real DynamoDB API for tests and benchmarks: dynalite 4 (in-memory LevelDB) on 127.0.0.1, on a random port,
 * with the alert-ledger table already created (partition key `pk` of type S, like the CDK table).
 *
 * dynalite does not implement UpdateTimeToLive and never expires items, so the table has no TTL setting: the
 * ledger must (and does) compare `expiresAt` itself.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** dynalite ships no type declarations; this is the part of its API used here. */
type DynaliteFactory = (options: { createTableMs?: number; deleteTableMs?: number; updateTableMs?: number }) => Server;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynalite = require('dynalite') as DynaliteFactory;

export interface DynaliteHandle {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  /** A real DynamoDBClient pointed at the endpoint, with dummy credentials. Destroyed by `stop()`. */
  client: DynamoDBClient;
  tableName: string;
  stop(): Promise<void>;
}

export interface StartDynaliteOptions {
  /** @default `alert-ledger-<random hex>` */
  tableName?: string;
}

/** Builds a DynamoDBClient for a local endpoint with dummy credentials. */
export function localDynamoClient(endpoint: string, extra: { maxAttempts?: number; requestTimeoutMs?: number } = {}): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    ...(extra.maxAttempts !== undefined ? { maxAttempts: extra.maxAttempts } : {}),
    ...(extra.requestTimeoutMs !== undefined
      ? { requestHandler: { requestTimeout: extra.requestTimeoutMs, connectionTimeout: extra.requestTimeoutMs } }
      : {}),
  });
}

/** Starts dynalite on 127.0.0.1 (random port), creates the ledger table and waits until it is ACTIVE. */
export async function startDynalite(options: StartDynaliteOptions = {}): Promise<DynaliteHandle> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const client = localDynamoClient(endpoint);
  const tableName = options.tableName ?? `alert-ledger-${randomBytes(4).toString('hex')}`;

  const stop = async (): Promise<void> => {
    client.destroy();
    server.closeAllConnections();
    await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
  };

  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    for (let i = 0; i < 100; i++) {
      const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
      if (Table?.TableStatus === 'ACTIVE') return { endpoint, client, tableName, stop };
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`dynalite table ${tableName} did not become ACTIVE`);
  } catch (err) {
    await stop();
    throw err;
  }
}
