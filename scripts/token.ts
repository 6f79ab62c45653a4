/**
 * Issues a signed bearer token for development and operations:
 *   npm run token -- --role district --district 120104 --id reviewer-1 [--hours 12]
 *   npm run token -- --role household --uscc 92120104MA06B7Q40X
 */
import { parseArgs } from 'node:util';
import { issueToken } from '../api/auth.js';
import type { Actor } from '../policy/actors.js';
import { validateUscc } from '../policy/uscc.js';
import { loadConfig } from './config.js';

const USAGE = `usage: npm run token -- --role <role> [claims] [--id <id>] [--hours <hours, default 12>]
  --role household  --uscc <USCC>              a household, acting for itself
  --role district   --district <6-digit code>  a district office
  --role city                                  the city office
  --role department --department <name> [--district <code>]
                                               a recommending or consulted department (with a district: a district department)
  --role public                                a named member of the public`;

/** The claims each role acts on; the workflows' own 'system' role is never handed out. */
const NEEDS: Record<string, (claims: { uscc?: string; district?: string; department?: string }) => string | null> = {
  household: ({ uscc }) => {
    if (!uscc) return 'a household token needs --uscc';
    const check = validateUscc(uscc);
    return check.ok ? null : `--uscc: ${check.reason}`;
  },
  district: ({ district }) => (district && /^\d{6}$/.test(district) ? null : 'a district office token needs --district with a 6-digit division code'),
  department: ({ department, district }) => {
    if (!department) return 'a department token needs --department';
    return district === undefined || /^\d{6}$/.test(district) ? null : '--district must be a 6-digit division code';
  },
  city: () => null,
  public: () => null,
};

function fail(message: string): never {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}

let values;
try {
  ({ values } = parseArgs({
    options: {
      role: { type: 'string' },
      id: { type: 'string' },
      district: { type: 'string' },
      department: { type: 'string' },
      uscc: { type: 'string' },
      hours: { type: 'string', default: '12' },
      help: { type: 'boolean', short: 'h' },
    },
  }));
} catch (err) {
  fail(err instanceof Error ? err.message : String(err));
}
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}

const role = values.role;
const needs = role === undefined ? undefined : NEEDS[role];
if (!role || !needs) fail(`--role must be one of ${Object.keys(NEEDS).join(', ')}`);
const missing = needs(values);
if (missing) fail(missing);
const hours = Number(values.hours);
if (!Number.isFinite(hours) || hours <= 0) fail(`--hours must be a positive number, got "${values.hours}"`);

const actor: Actor = {
  id: values.id ?? values.uscc ?? values.department ?? `${role}-${values.district ?? 'city'}`,
  role: role as Actor['role'],
  ...(values.district && role !== 'city' ? { districtCode: values.district } : {}),
  ...(values.department ? { department: values.department } : {}),
  ...(values.uscc ? { uscc: values.uscc } : {}),
};
const expiresAt = Math.floor(Date.now() / 1000) + Math.round(hours * 3600);
console.log(issueToken(loadConfig().authSecret, actor, expiresAt));
