/**
 * `npm run bench:cold [-- --json]`: the function's size and start.
 *
 * Builds the production bundle exactly as the construct does (lib/lambda-bundling.ts: same entry, esbuild
 * options, target and externals), then prints its size, minified and gzipped, and the time a fresh Node process
 * takes to load it (median of 15) against a fresh empty Node process.
 *
 * The AWS SDK is external (the Lambda runtime provides it), so two load times are reported:
 * - `loadMedianMs` / `ratio`: the bundle itself, with `@aws-sdk/*` answered by a no-op stub preloaded in both the
 *   bundle's and the empty process, so the ratio is the cost of our code (target <= 1.3);
 * - `loadWithSdkMedianMs`: the bundle with the real SDK from node_modules, the whole init a cold start pays.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildLambdaBundle } from '../lib/lambda-bundling';
import { median, printTable, round, wantsJson } from './lib/table';

const OUT = resolve(__dirname, 'out');
const RUNS = 15;

/** Answers every `@aws-sdk/*` require with classes and functions that do nothing. */
const SDK_STUB = `
const Module = require('module');
const load = Module._load;
const stub = new Proxy(function () {}, {
  get: (_t, key) => (key === '__esModule' ? false : stub),
  apply: () => stub,
  construct: () => stub,
});
Module._load = function (request, parent, isMain) {
  if (request.startsWith('@aws-sdk/')) return stub;
  return load.call(this, request, parent, isMain);
};
`;

const ENV = {
  ...process.env,
  TOPIC_ARN: 'arn:aws:sns:eu-west-1:123456789012:oom-alerts',
  AWS_REGION: 'eu-west-1',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  NODE_OPTIONS: '',
};

function timeNode(args: string[]): number {
  const start = process.hrtime.bigint();
  execFileSync(process.execPath, args, { env: ENV, stdio: 'ignore' });
  return Number(process.hrtime.bigint() - start) / 1e6;
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const bundle = join(OUT, 'index.js');
  const stub = join(OUT, 'sdk-stub.cjs');
  writeFileSync(stub, SDK_STUB);
  await buildLambdaBundle(bundle);
  const code = readFileSync(bundle);
  const bundleBytes = statSync(bundle).size;
  const gzipBytes = gzipSync(code, { level: 9 }).length;

  const empty: number[] = [];
  const load: number[] = [];
  const loadWithSdk: number[] = [];
  const requireBundle = `require(${JSON.stringify(bundle)})`;
  timeNode(['-e', '']);
  for (let i = 0; i < RUNS; i += 1) {
    // Interleaved so that machine noise hits all three alike.
    empty.push(timeNode(['-r', stub, '-e', '']));
    load.push(timeNode(['-r', stub, '-e', requireBundle]));
    loadWithSdk.push(timeNode(['-e', requireBundle]));
  }
  const result = {
    bundleBytes,
    gzipBytes,
    loadMedianMs: round(median(load), 1),
    emptyNodeMedianMs: round(median(empty), 1),
    ratio: round(median(load) / median(empty), 3),
    loadWithSdkMedianMs: round(median(loadWithSdk), 1),
  };
  if (wantsJson()) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  printTable(`bench:cold (median of ${RUNS} fresh processes)`, [
    ['bundle (minified)', `${(bundleBytes / 1024).toFixed(1)} KB`],
    ['bundle (gzip -9)', `${(gzipBytes / 1024).toFixed(1)} KB (target < 60 KB, @aws-sdk/* external)`],
    ['empty node process', `${result.emptyNodeMedianMs} ms`],
    ['load the bundle', `${result.loadMedianMs} ms`],
    ['ratio', `${result.ratio} (target <= 1.3)`],
    ['load with the real SDK', `${result.loadWithSdkMedianMs} ms (what the Lambda init pays; the runtime provides the SDK)`],
  ]);
}

void main();
