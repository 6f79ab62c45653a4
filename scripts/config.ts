import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';


/** Where `npm run training` keeps its data unless DATA_DIR says otherwise (the token tool's `--training` reads its secret there). */
export const TRAINING_DATA_DIR = '.data/training';

/**
 * The embedded development system's HS256 secret: 32 random bytes kept in DATA_DIR, made on its
 * first start, so that the tokens it prints (and `npm run token` issues) keep working across
 * restarts without any secret written in the code. Undefined when absent and `create` is false.
 */
export function developmentSecret(dataDir: string, create: boolean): string | undefined {
  const path = join(dataDir, 'auth-secret');
  if (existsSync(path)) return readFileSync(path, 'utf8').trim();
  if (!create) return undefined;
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('hex');
  writeFileSync(path, `${secret}\n`, { mode: 0o600 });
  return secret;
}
