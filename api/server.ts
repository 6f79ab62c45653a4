/** The API alone, for deployments where PostgreSQL and Temporal run elsewhere (docker-compose.yml). */
import { Client, Connection } from '@temporalio/client';
import { connectDatabase, survivePostgresSocketFault } from '../db/client.js';
import { migrateDatabase } from '../db/migrate.js';
import { refuseTrainingDatabase } from '../db/training-marker.js';
import { WEB_ROOT, loadConfig } from './config.js';
import { ensureTieringSchedule } from '../workflows/tiering-run/schedule.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { buildApp } from './app.js';
import { tokenTrustProblem } from './auth.js';

survivePostgresSocketFault();
const config = loadConfig();
if (!config.databaseUrl || !config.temporalAddress) {
  console.error('set DATABASE_URL and TEMPORAL_ADDRESS (or run `npm start` for the embedded system)');
  process.exit(2);
}
// No built-in secret: the API alone verifies the deployment's tokens or does not start.
const trustProblem = tokenTrustProblem(config.tokenTrust);
if (trustProblem) {
  console.error(trustProblem);
  process.exit(2);
}
// The pages are built beforehand (npm run web:build); without them the API serves its routes alone.
const webRoot = existsSync(join(WEB_ROOT, 'index.html')) ? WEB_ROOT : null;
if (!webRoot) console.warn('the web pages are not built (npm run web:build): serving the API alone');
const database = connectDatabase(config.databaseUrl);
await migrateDatabase(database);
await refuseTrainingDatabase(database);
const connection = await Connection.connect({ address: config.temporalAddress });
await ensureTieringSchedule(new Client({ connection, namespace: config.temporalNamespace }));
const app = await buildApp({
  database,
  temporal: new Client({ connection, namespace: config.temporalNamespace }),
  tokenTrust: config.tokenTrust,
  rateLimits: config.rateLimits,
  trustProxy: config.trustProxy,
  caseSettings: config.caseSettings,
  recognitionTermSettings: config.recognitionTermSettings,
  eligibilitySettings: config.eligibilitySettings,
  objectionSettings: config.objectionSettings,
  unclassifiedLabel: config.unclassifiedLabel,
  importDir: config.importDir,
  logger: { level: config.logLevel },
  webRoot,
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void app
      .close()
      .then(() => Promise.all([connection.close(), database.close()]))
      .finally(() => process.exit(0));
  });
}
await app.listen({ host: config.apiHost, port: config.apiPort });
