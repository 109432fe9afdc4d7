#!/usr/bin/env node
/**
 * The `statefun` command. See `statefun --help`, and run.ts for the commands and exit codes.
 */
import { processIo } from './io.js';
import { run } from './run.js';

process.exitCode = await run(process.argv.slice(2), processIo);
