// docker-compose.yml and the Dockerfile cannot be run here (no Docker engine): what can be checked
// without one is that they parse, and that their services, images, commands and settings agree
// with each other, with the build (tsconfig.build.json) and with the topology `npm run topology` runs.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { temporalServerVersion } from '../../scripts/toolchain.js';
import { searchAttributeArgs } from '../../scripts/temporal-dev-server.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const read = (file: string) => readFileSync(`${root}/${file}`, 'utf8');

interface Service {
  image?: string;
  build?: string;
  command?: string[] | string;
  entrypoint?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  ports?: string[];
  deploy?: { replicas?: number };
  configs?: Array<{ source: string; target: string }>;
}
const compose = parse(read('docker-compose.yml'), { merge: true }) as {
  services: Record<string, Service>;
  configs: Record<string, { content: string }>;
  volumes: Record<string, unknown>;
};
const { services } = compose;
const script = (service: Service) => (Array.isArray(service.command) ? service.command.join('\n') : (service.command ?? ''));

describe('docker-compose.yml', () => {
  it('pins every image, and runs Temporal from temporalio/server, not auto-setup, at the version the topology builds', () => {
    // Pulled images by version; the application's is built from the Dockerfile (its base pinned, below).
    for (const [name, service] of Object.entries(services).filter(([, s]) => s.build === undefined)) {
      expect(service.image, name).toMatch(/^[\w./-]+:[\w.-]*\d[\w.-]*$/);
      expect(service.image, name).not.toMatch(/auto-setup|:latest$/);
    }
    const version = temporalServerVersion();
    expect(services.temporal!.image).toBe(`temporalio/server:${version}`);
    expect(services['temporal-schema']!.image).toMatch(new RegExp(`^temporalio/admin-tools:${version.replaceAll('.', '\\.')}-`));
    expect(services['temporal-namespace']!.image).toBe(services['temporal-schema']!.image);
  });

  it('sets up both of Temporal\'s databases with temporal-sql-tool (create, setup-schema, update-schema), as the server and the role expect', () => {
    const schema = services['temporal-schema']!;
    const server = services.temporal!.environment!;
    expect(schema.environment).toMatchObject({ SQL_PLUGIN: 'postgres12', SQL_HOST: 'postgres', SQL_USER: server.POSTGRES_USER, SQL_PASSWORD: server.POSTGRES_PWD });
    expect(server).toMatchObject({ DB: 'postgres12', POSTGRES_SEEDS: 'postgres' });
    const steps = script(schema);
    for (const [database, store] of [[server.DBNAME, 'temporal'], [server.VISIBILITY_DBNAME, 'visibility']] as const) {
      expect(steps).toContain(`temporal-sql-tool --db ${database} setup-schema -v 0.0`);
      expect(steps).toContain(`temporal-sql-tool --db ${database} update-schema -d /etc/temporal/schema/postgresql/v12/${store}/versioned`);
      expect(steps.indexOf(`--db ${database} setup-schema`)).toBeLessThan(steps.indexOf(`--db ${database} update-schema`));
    }
    expect(steps).toMatch(/for db in temporal temporal_visibility; do\s+temporal-sql-tool --db "\$\$db" create-database/);
    // Its own role, made when PostgreSQL first starts, apart from the application's user.
    const role = services.postgres!.configs!.find((c) => c.target.startsWith('/docker-entrypoint-initdb.d/'))!;
    expect(compose.configs[role.source]!.content).toContain(`create role ${server.POSTGRES_USER} login createdb password '${server.POSTGRES_PWD}'`);
    expect(server.POSTGRES_USER).not.toBe(services.postgres!.environment!.POSTGRES_USER);
    expect(Number(server.NUM_HISTORY_SHARDS)).toBeGreaterThanOrEqual(4);
  });

  it('starts in order: only services it defines, the schema before the server, the namespace before the application', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const dependency of Object.keys(service.depends_on ?? {})) expect(Object.keys(services), `${name} depends on ${dependency}`).toContain(dependency);
    }
    expect(services.temporal!.depends_on!['temporal-schema']!.condition).toBe('service_completed_successfully');
    expect(script(services['temporal-namespace']!)).toContain('temporal operator namespace create --namespace default');
    for (const name of ['api', 'worker']) {
      expect(services[name]!.depends_on).toMatchObject({
        postgres: { condition: 'service_healthy' },
        'temporal-namespace': { condition: 'service_completed_successfully' },
      });
    }
  });

  it('registers every search attribute the cases carry, with its type, beside the namespace', () => {
    const job = script(services['temporal-namespace']!);
    expect(job).toMatch(/temporal operator search-attribute create --namespace default --name/);
    const listed = job.match(/for attribute in ([^;]+);/)?.[1]?.split(' ') ?? [];
    // As the dev server registers them: `--search-attribute Name=Type` each.
    const expected = searchAttributeArgs().filter((arg) => arg !== '--search-attribute');
    expect(listed.sort()).toEqual(expected.sort());
  });

  it('runs the API and two worker replicas from the application image, compiled, with the settings they read', () => {
    const { api, worker, postgres } = services as Record<string, Service>;
    expect(api!.build).toBe('.');
    expect(worker!.build).toBe('.');
    expect(worker!.deploy?.replicas).toBe(2);
    // The commands run what tsconfig.build.json compiles, with node (no tsx).
    const compiled = (JSON.parse(read('tsconfig.build.json')) as { files: string[]; compilerOptions: { outDir: string } });
    for (const service of [api!, worker!]) {
      const [node, entry] = service.command as string[];
      expect(node).toBe('node');
      expect(compiled.files.map((file) => `${compiled.compilerOptions.outDir}/${file.replace(/\.ts$/, '.js')}`)).toContain(entry);
    }
    expect(api!.command).toEqual(['node', 'dist/api/server.js']);
    expect(worker!.command).toEqual(['node', 'dist/scripts/worker.js']);

    const pg = postgres!.environment!;
    for (const service of [api!, worker!]) {
      expect(service.environment).toMatchObject({
        DATABASE_URL: `postgres://${pg.POSTGRES_USER}:${pg.POSTGRES_PASSWORD}@postgres:5432/${pg.POSTGRES_DB}`,
        TEMPORAL_ADDRESS: 'temporal:7233',
        TEMPORAL_NAMESPACE: 'default',
      });
      expect(service.environment!.AUTH_SECRET).toMatch(/^\$\{AUTH_SECRET:\?/);
    }
    expect(api!.environment).toMatchObject({ API_HOST: '0.0.0.0' });
    expect(api!.ports).toContain(`${api!.environment!.API_PORT}:${api!.environment!.API_PORT}`);
    // Temporal's databases are not the application's.
    expect([services.temporal!.environment!.DBNAME, services.temporal!.environment!.VISIBILITY_DBNAME]).not.toContain(pg.POSTGRES_DB);
  });
});

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');

  it('installs from the lockfile, builds with npm run build, and runs the compiled API by default', () => {
    const stages = dockerfile.split(/^FROM /m).slice(1);
    expect(stages).toHaveLength(2);
    const [build, runtime] = stages as [string, string];
    expect(build).toMatch(/COPY package\.json package-lock\.json \.\/\n(#.*\n)*RUN npm ci /);
    expect(build).toContain('RUN npm run build');
    expect(JSON.parse(read('package.json')).scripts.build).toBe('tsx scripts/build.ts');
    expect(runtime).toMatch(/RUN npm ci --omit=dev /);
    expect(runtime).toContain('COPY --from=build /app/dist ./dist');
    expect(runtime).toContain('ENV WORKFLOW_BUNDLE_PATH=/app/dist/workflow-bundle.js');
    expect(read('scripts/build.ts')).toContain("join(dist, 'workflow-bundle.js')");
    expect(runtime).toContain('CMD ["node", "dist/api/server.js"]');
    expect(runtime).toContain('USER node');
    // Both stages on the same pinned Node as the engines field allows.
    const images = stages.map((stage) => stage.split(/\s/)[0]);
    expect(new Set(images).size).toBe(1);
    expect(images[0]).toMatch(/^node:20\.\d+\.\d+-bookworm-slim$/);
    // npm run build builds the pages with Vite, which refuses a Node 20 older than its engines field says.
    const nodeMinor = Number(/^node:20\.(\d+)\./.exec(images[0]!)![1]);
    for (const engines of [JSON.parse(read('node_modules/vite/package.json')).engines.node, JSON.parse(read('package.json')).engines.node]) {
      expect(nodeMinor, `${images[0]} against ${engines}`).toBeGreaterThanOrEqual(Number(/\^20\.(\d+)\./.exec(engines)![1]));
    }
  });

  it('keeps installed and built output, local data and the tests out of the build context', () => {
    const ignored = read('.dockerignore').split('\n').filter((line) => line && !line.startsWith('#'));
    for (const path of ['node_modules', 'dist', 'web/dist', '.data', '.git', 'test']) expect(ignored).toContain(path);
    // What the build needs stays in.
    for (const path of ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'scripts', 'web', 'db']) expect(ignored).not.toContain(path);
  });
});
