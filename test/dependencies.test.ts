// The packages installed from the lockfile run on every Node the project's engines field admits:
// a dependency that declares a newer Node runs, on the oldest we promise, code its authors do not
// promise for it (npm only warns, EBADENGINE).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import semver from 'semver';
import { expect, it } from 'vitest';

const repositoryRoot = fileURLToPath(new URL('..', import.meta.url));

interface Manifest {
  name: string;
  version: string;
  engines?: { node?: string };
}

function installedManifests(modulesDir: string): Manifest[] {
  if (!existsSync(modulesDir)) return [];
  return readdirSync(modulesDir)
    .filter((name) => !name.startsWith('.'))
    .flatMap((name) => {
      const packageDir = join(modulesDir, name);
      if (name.startsWith('@')) return installedManifests(packageDir);
      const manifestFile = join(packageDir, 'package.json');
      if (!existsSync(manifestFile)) return [];
      const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as Manifest;
      return [manifest, ...installedManifests(join(packageDir, 'node_modules'))];
    });
}

it('every installed package admits the oldest Node the project’s engines field admits', () => {
  const projectRange = (JSON.parse(readFileSync(join(repositoryRoot, 'package.json'), 'utf8')) as Manifest).engines!.node!;
  const oldestNode = semver.minVersion(projectRange)!.version;
  const manifests = installedManifests(join(repositoryRoot, 'node_modules'));
  expect(manifests.length).toBeGreaterThan(100);
  const refusing = manifests
    .filter((manifest) => manifest.engines?.node && !semver.satisfies(oldestNode, manifest.engines.node))
    .map((manifest) => `${manifest.name}@${manifest.version} needs Node ${manifest.engines!.node}`);
  expect(refusing, `on Node ${oldestNode}`).toEqual([]);
});
