/**
 * `npm run build`: the deployable build in dist/, run by node without tsx (the Dockerfile's image):
 * the API, the worker and the token tool compiled by tsc (tsconfig.build.json), the migrations and
 * seed data they read beside them, the workflows bundled once (a worker loads the bundle instead of
 * bundling at every start), and the pages built by Vite.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeWorkflowBundle } from '../workflows/worker.js';
import { WEB_ROOT } from '../api/config.js';
import { ensureWebBuild } from './web-build.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist');

rmSync(dist, { recursive: true, force: true });
execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
// db/migrate.ts reads them next to itself.
for (const dir of ['db/migrations', 'db/seed']) cpSync(join(root, dir), join(dist, dir), { recursive: true });
await writeWorkflowBundle(join(dist, 'workflow-bundle.js'));
// The compiled API looks for the pages where api/config.ts places them, relative to itself.
await ensureWebBuild();
cpSync(WEB_ROOT, join(dist, 'web', 'dist'), { recursive: true });
console.log('built dist/: node dist/api/server.js, node dist/scripts/worker.js (WORKFLOW_BUNDLE_PATH=dist/workflow-bundle.js), node dist/scripts/token.js');
