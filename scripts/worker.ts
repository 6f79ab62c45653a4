/** The worker alone, for deployments where PostgreSQL and Temporal run elsewhere (docker-compose.yml). */
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { createNotificationChannels } from '../activities/notification-channels.js';
import { connectDatabase, survivePostgresSocketFault } from '../db/client.js';
import { migrateDatabase } from '../db/migrate.js';
import { refuseTrainingDatabase } from '../db/training-marker.js';
import { ensureNotificationDelivery } from '../workflows/notification-delivery/start.js';
import { createWorkers, runUntilStopped } from '../workflows/worker.js';
import { loadConfig } from '../api/config.js';

survivePostgresSocketFault();
const config = loadConfig();
if (!config.databaseUrl || !config.temporalAddress) {
  console.error('set DATABASE_URL and TEMPORAL_ADDRESS (or run `npm start` for the embedded system)');
  process.exit(2);
}
const database = connectDatabase(config.databaseUrl);
await migrateDatabase(database);
await refuseTrainingDatabase(database);
const connection = await NativeConnection.connect({ address: config.temporalAddress });
// A prebuilt bundle (the soak script builds one for its many worker restarts); otherwise bundled here.
const bundlePath = process.env.WORKFLOW_BUNDLE_PATH;
const workers = await createWorkers({
  connection,
  namespace: config.temporalNamespace,
  db: database.db,
  notificationChannels: createNotificationChannels(config.notifications),
  smsQuietHours: config.notifications.smsQuietHours,
  ...(bundlePath ? { workflowBundle: { codePath: bundlePath } } : {}),
});
const client = new Client({ connection: await Connection.connect({ address: config.temporalAddress }), namespace: config.temporalNamespace });
await ensureNotificationDelivery(client);
await client.connection.close();
// For a supervisor or script that waits until the worker polls.
console.log('ready');
// Workers shut down by themselves on SIGINT/SIGTERM and finish their running tasks first.
await runUntilStopped(workers, { close: () => Promise.all([connection.close(), database.close()]) });
