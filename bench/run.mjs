#!/usr/bin/env node
// Runs a benchmark: bundles bench/<name>/run.ts with esbuild (packages stay external) and executes it.
//   node bench/run.mjs local [--rounds 3] …
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const [name, ...args] = process.argv.slice(2);
const entry = name === undefined ? undefined : join(here, name, 'run.ts');
if (entry === undefined || !existsSync(entry)) {
  console.error(`usage: node bench/run.mjs <benchmark> [options]\nbenchmarks: ${['local', 'remote', 'aws-cost', 'cold-start'].filter((b) => existsSync(join(here, b, 'run.ts'))).join(', ')}`);
  process.exit(2);
}
const outfile = join(here, '.build', `${name.replaceAll('/', '-')}.mjs`);
await build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', packages: 'external', outfile, logLevel: 'warning', target: 'node20' });
const result = spawnSync(process.execPath, [outfile, ...args], { stdio: 'inherit' });
process.exit(result.status ?? 1);
