// Keeps the SDK's worker chatter (state changes, bundle sizes) out of the test output; warnings
// and errors still show. Installed once per test process, before any worker or connection.
import { DefaultLogger, Runtime } from '@temporalio/worker';

try {
  Runtime.install({ logger: new DefaultLogger('WARN') });
} catch {
  // A process reused for another test file has its runtime already.
}
