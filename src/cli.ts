#!/usr/bin/env node
import { runCli } from './cli/main.js';

// The exit status is set, not forced: the process ends once what the verb opened has closed.
process.exitCode = await runCli(process.argv.slice(2));
