#!/usr/bin/env node
process.env.UV_THREADPOOL_SIZE ??= '16';
import 'reflect-metadata';
import { Command, CommanderError } from 'commander';
import { ConfigError } from './config/app.config';
import { UsageError } from './cli/cli-context';
import { registerCommands } from './cli/commands';

const program = new Command()
  .name('wis')
  .description('Operate the workflow-instance service: purge, audit, operations, projections, demo data.\nUses the same settings (STORAGE, DATA_DIR, …) as the service.')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();
registerCommands(program);

program.parseAsync(process.argv).catch((e: unknown) => {
  if (e instanceof UsageError || e instanceof ConfigError) {
    process.stderr.write(`error: ${e.message}\n`);
    process.exit(2);
  }
  if (e instanceof CommanderError) {
    // --help and --version end here with code 0; usage errors were printed by commander.
    process.exit(e.exitCode === 0 ? 0 : 2);
  }
  process.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
