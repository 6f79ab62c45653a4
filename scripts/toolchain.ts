// Resolves the external tools that scripts/setup.sh caches, by the same rules as setup.sh and
// scripts/temporal-test-server/run, so code and tests find what setup made without being told.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const scriptsDir = dirname(fileURLToPath(import.meta.url));
const testServerDir = join(scriptsDir, 'temporal-test-server');

/** Kept outside the clone so that a fresh clone on the same machine (CI) reuses the slow builds. */
export function toolchainCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.MTYX_CACHE_DIR) return env.MTYX_CACHE_DIR;
  const xdgCache = env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(xdgCache, 'mingteyouxin');
}

export function temporalCliVersion(): string {
  const text = readFileSync(join(scriptsDir, 'toolchain.env'), 'utf8');
  const match = /^TEMPORAL_CLI_VERSION=(\S+)\s*$/m.exec(text);
  if (!match?.[1]) throw new Error('scripts/toolchain.env has no TEMPORAL_CLI_VERSION line');
  return match[1];
}

export function schemathesisVersion(): string {
  const text = readFileSync(join(scriptsDir, 'toolchain.env'), 'utf8');
  const match = /^SCHEMATHESIS_VERSION=(\S+)\s*$/m.exec(text);
  if (!match?.[1]) throw new Error('scripts/toolchain.env has no SCHEMATHESIS_VERSION line');
  return match[1];
}

/** The API fuzzer's `st` executable: SCHEMATHESIS_PATH, else the virtualenv setup made in the cache. */
export function schemathesisPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.SCHEMATHESIS_PATH) {
    requireExecutable(env.SCHEMATHESIS_PATH, 'SCHEMATHESIS_PATH is set to', 'Point it at an st executable, or unset it and run `npm run setup`.');
    return env.SCHEMATHESIS_PATH;
  }
  const path = join(toolchainCacheDir(env), `schemathesis-${schemathesisVersion()}`, 'bin', 'st');
  requireExecutable(path, 'schemathesis is not installed yet; expected', 'Run `npm run setup` (it installs it with pip), or set SCHEMATHESIS_PATH to an st executable.');
  return path;
}

export function temporalTestServerVersion(): string {
  const pom = readFileSync(join(testServerDir, 'pom.xml'), 'utf8');
  const match = /<temporal\.test\.server\.version>([^<]+)<\/temporal\.test\.server\.version>/.exec(pom);
  if (!match?.[1]) throw new Error('scripts/temporal-test-server/pom.xml has no <temporal.test.server.version>');
  return match[1].trim();
}

/** The `temporal` CLI binary, whose `server start-dev` is the dev server. */
export function temporalCliPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.TEMPORAL_CLI_PATH) {
    requireExecutable(env.TEMPORAL_CLI_PATH, 'TEMPORAL_CLI_PATH is set to', 'Point it at a temporal CLI binary, or unset it and run `npm run setup`.');
    return env.TEMPORAL_CLI_PATH;
  }
  const path = join(toolchainCacheDir(env), `temporal-cli-${temporalCliVersion()}`, 'temporal');
  requireExecutable(
    path,
    'The Temporal CLI is not built yet; expected',
    'Run `npm run setup` (it builds it with Go), or set TEMPORAL_CLI_PATH to a temporal CLI binary.',
  );
  return path;
}

export function temporalServerVersion(): string {
  const text = readFileSync(join(scriptsDir, 'toolchain.env'), 'utf8');
  const match = /^TEMPORAL_SERVER_VERSION=(\S+)\s*$/m.exec(text);
  if (!match?.[1]) throw new Error('scripts/toolchain.env has no TEMPORAL_SERVER_VERSION line');
  return match[1];
}

/** The Temporal server (`go.temporal.io/server/cmd/server`) and its SQL schema tool, as setup builds them. */
export function temporalServerTools(env: NodeJS.ProcessEnv = process.env): { server: string; sqlTool: string } {
  const fix = 'Run `npm run setup` (it builds both with Go), or set TEMPORAL_SERVER_PATH and TEMPORAL_SQL_TOOL_PATH to a temporal-server and a temporal-sql-tool binary.';
  if (env.TEMPORAL_SERVER_PATH || env.TEMPORAL_SQL_TOOL_PATH) {
    const server = env.TEMPORAL_SERVER_PATH ?? '';
    const sqlTool = env.TEMPORAL_SQL_TOOL_PATH ?? '';
    requireExecutable(server, 'TEMPORAL_SERVER_PATH is set to', fix);
    requireExecutable(sqlTool, 'TEMPORAL_SQL_TOOL_PATH is set to', fix);
    return { server, sqlTool };
  }
  const dir = join(toolchainCacheDir(env), `temporal-server-${temporalServerVersion()}`);
  const tools = { server: join(dir, 'temporal-server'), sqlTool: join(dir, 'temporal-sql-tool') };
  requireExecutable(tools.server, 'The Temporal server is not built yet; expected', fix);
  requireExecutable(tools.sqlTool, 'temporal-sql-tool is not built yet; expected', fix);
  return tools;
}

/**
 * The time-skipping test server executable: TEMPORAL_TEST_SERVER_PATH, else the committed wrapper,
 * which runs the Java test server from the jars that setup resolved into the cache.
 */
export function temporalTestServerPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.TEMPORAL_TEST_SERVER_PATH) {
    requireExecutable(
      env.TEMPORAL_TEST_SERVER_PATH,
      'TEMPORAL_TEST_SERVER_PATH is set to',
      'Point it at a temporal-test-server executable, or unset it and run `npm run setup`.',
    );
    return env.TEMPORAL_TEST_SERVER_PATH;
  }
  const libDir = join(toolchainCacheDir(env), `temporal-test-server-${temporalTestServerVersion()}`, 'lib');
  if (!existsSync(libDir)) {
    throw new Error(
      `The Temporal test server's jars are not in the cache yet; expected ${libDir}. ` +
        'Run `npm run setup` (it resolves them with Maven), or set TEMPORAL_TEST_SERVER_PATH to a temporal-test-server executable.',
    );
  }
  return join(testServerDir, 'run');
}

// Checked here because the SDK, given a path it cannot run, only reports a server that did not
// come up within its start-up timeout.
function requireExecutable(path: string, what: string, fix: string): void {
  let ok: boolean;
  try {
    const stat = statSync(path);
    ok = stat.isFile() && (stat.mode & 0o111) !== 0;
  } catch {
    ok = false;
  }
  if (!ok) throw new Error(`${what} ${path}, but no executable file is there. ${fix}`);
}
