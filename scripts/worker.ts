/** The worker alone, for deployments where PostgreSQL and Temporal run elsewhere (docker-compose.yml). */
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { createNotificationChannels } from '../activities/notification-channels.js';
import { connectDatabase } from '../db/client.js';
import { migrateDatabase } from '../db/migrate.js';
import { ensureNotificationDelivery } from '../workflows/notification-delivery/start.js';
import { createWorkers } from '../workflows/worker.js';
import { loadConfig } from './config.js';

const config = loadConfig();
if (!config.databaseUrl || !config.temporalAddress) {
  console.error('set DATABASE_URL and TEMPORAL_ADDRESS (or run `npm start` for the embedded system)');
  process.exit(2);
}
const database = connectDatabase(config.databaseUrl);
await migrateDatabase(database);
const connection = await NativeConnection.connect({ address: config.temporalAddress });
const workers = await createWorkers({
  connection,
  namespace: config.temporalNamespace,
  db: database.db,
  notificationChannels: createNotificationChannels(config.notifications),
  smsQuietHours: config.notifications.smsQuietHours,
});
const client = new Client({ connection: await Connection.connect({ address: config.temporalAddress }), namespace: config.temporalNamespace });
await ensureNotificationDelivery(client);
await client.connection.close();
// Workers shut down by themselves on SIGINT/SIGTERM and finish their running tasks first.
await Promise.all(workers.map((worker) => worker.run()));
await Promise.all([connection.close(), database.close()]);
