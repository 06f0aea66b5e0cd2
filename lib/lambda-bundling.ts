/**
 * How the Lambda is built: one place for the runtime, the entry and the esbuild options, shared by the
 * OomResponder construct (through NodejsFunction) and by anything that must build "the production bundle exactly
 * as the construct does" (benchmarks, size checks) without synthesizing a stack.
 */
import * as path from 'node:path';
import type { BuildOptions, BuildResult } from 'esbuild';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { type BundlingOptions, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';

/** The newest Node.js runtime aws-cdk-lib 2.276 knows (cdk-nag AwsSolutions-L1 wants the latest). */
export const LAMBDA_RUNTIME = Runtime.NODEJS_24_X;
export const LAMBDA_ARCHITECTURE = Architecture.ARM_64;
/** esbuild target matching {@link LAMBDA_RUNTIME}. */
export const LAMBDA_ESBUILD_TARGET = 'node24';
/** The Lambda entry, written by the Lambda authors: `lambda/handler.ts` exporting `handler`. */
export const LAMBDA_ENTRY = path.resolve(__dirname, '..', 'lambda', 'handler.ts');
export const LAMBDA_HANDLER = 'handler';
/** Provided by the Lambda Node.js runtime, so never bundled. */
export const LAMBDA_EXTERNAL_MODULES: readonly string[] = ['@aws-sdk/*'];

/**
 * NodejsFunction bundling options. Local esbuild from node_modules only: there is no Docker here, and
 * `forceDockerBundling: false` makes a missing esbuild fail loudly instead of falling back to Docker.
 * `sourcesContent: false` keeps the .map small: `--enable-source-maps` needs the mappings, not the sources.
 * `--legal-comments=none`: the only "legal" comments in the bundle are Powertools' `v8 ignore next -- @preserve`
 * coverage hints (no license text; checked with `legalComments: 'external'`), which esbuild would otherwise keep.
 */
export const lambdaBundlingOptions: BundlingOptions = {
  forceDockerBundling: false,
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  target: LAMBDA_ESBUILD_TARGET,
  format: OutputFormat.CJS,
  externalModules: [...LAMBDA_EXTERNAL_MODULES],
  esbuildArgs: { '--legal-comments': 'none' },
};

/**
 * The esbuild options equivalent to what NodejsFunction runs with {@link lambdaBundlingOptions}
 * (`esbuild --bundle <entry> --target=node24 --platform=node --format=cjs --outfile=<outfile> --minify
 * --sourcemap --sources-content=false --external:@aws-sdk/* --legal-comments=none`).
 */
export function lambdaEsbuildOptions(outfile: string, entry: string = LAMBDA_ENTRY): BuildOptions {
  return {
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    target: LAMBDA_ESBUILD_TARGET,
    format: 'cjs',
    outfile,
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    external: [...LAMBDA_EXTERNAL_MODULES],
    legalComments: 'none',
    logLevel: 'silent',
  };
}

/** Builds the production bundle (`outfile` plus `outfile.map`) exactly as the construct does. */
export async function buildLambdaBundle(outfile: string, entry: string = LAMBDA_ENTRY): Promise<BuildResult> {
  const esbuild = await import('esbuild');
  return esbuild.build(lambdaEsbuildOptions(outfile, entry));
}
