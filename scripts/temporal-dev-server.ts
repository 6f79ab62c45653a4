/**
 * The one way the scripts start the Temporal dev server (`temporal server start-dev`): on
 * 127.0.0.1, its output in a log file of its own, ended with the command that started it, and
 * answered only once its namespace can be described.
 */
import { spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import { Connection } from '@temporalio/client';
import { CASE_SEARCH_ATTRIBUTE_TYPES } from '../workflows/recognition-case/contract.js';
import { endsWithThisProcess } from './children.js';
import { temporalCliPath } from './toolchain.js';

export interface TemporalDevServerOptions {
  port: number;
  namespace: string;
  /** Where its chatter goes (appended), so that it does not bury the caller's output. */
  logFile: string;
  /** Its SQLite file, so that a restart keeps the history; in memory without one. */
  dbFile?: string;
  /** The Web UI's port; headless without one. */
  uiPort?: number;
}

export interface TemporalDevServer {
  address: string;
  /** SIGTERM, and answers once it has exited. */
  stop(): Promise<void>;
}

const ANSWER_WITHIN_MS = 120_000;

/** `--search-attribute Name=Type` for each of the cases' search attributes, which the dev server registers as it starts. */
export function searchAttributeArgs(): string[] {
  return Object.entries(CASE_SEARCH_ATTRIBUTE_TYPES).flatMap(([name, type]) => ['--search-attribute', `${name}=${type[0]}${type.slice(1).toLowerCase()}`]);
}

export async function startTemporalDevServer(options: TemporalDevServerOptions): Promise<TemporalDevServer> {
  const address = `127.0.0.1:${options.port}`;
  const log = openSync(options.logFile, 'a');
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(options.port), '--namespace', options.namespace, '--log-level', 'warn'];
  args.push(...(options.uiPort === undefined ? ['--headless'] : ['--ui-port', String(options.uiPort)]));
  if (options.dbFile) args.push('--db-filename', options.dbFile);
  args.push(...searchAttributeArgs());
  const server = spawn(temporalCliPath(), args, { stdio: ['ignore', log, log] });
  endsWithThisProcess(server);
  const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
  const stop = async () => {
    if (server.exitCode === null && server.signalCode === null) server.kill('SIGTERM');
    await exited;
  };
  const deadline = Date.now() + ANSWER_WITHIN_MS;
  for (;;) {
    if (server.exitCode !== null) throw new Error(`the Temporal dev server exited with code ${server.exitCode}; see ${options.logFile}`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1_000 });
      try {
        await connection.workflowService.describeNamespace({ namespace: options.namespace });
        return { address, stop };
      } finally {
        await connection.close();
      }
    } catch (err) {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`the Temporal dev server did not answer at ${address}: ${String(err)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}
