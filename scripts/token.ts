/**
 * Issues a bearer token (an HS256 JWT signed with AUTH_SECRET, or with the embedded development
 * system's stored secret when AUTH_SECRET is unset) for development and operations:
 *   npm run token -- --role district --district 120104 --id reviewer-1 [--hours 12]
 *   npm run token -- --role household --uscc 92120104MA06B7Q40X
 *   npm run token -- --training --role city      (for the system npm run training started)
 */
import { parseArgs } from 'node:util';
import { issueToken, tokenTimes, tokenTrustProblem } from '../api/auth.js';
import { ROLES, missingClaim, type Actor } from '../policy/actors.js';
import { validateUscc } from '../policy/uscc.js';
import { loadConfig } from '../api/config.js';
import { TRAINING_DATA_DIR, developmentSecret } from './config.js';

const USAGE = `usage: npm run token -- --role <role> [claims] [--id <id>] [--hours <hours, default 12>]
  --role household  --uscc <USCC>              a household, acting for itself
  --role district   --district <code>          a district office of Tianjin (120101…120119)
  --role city                                  the city office
  --role department --department <id> [--district <code>]
                                               a recommending or consulted department by its registry ID (GET /departments);
                                               a district department with its district's code
  --role public                                a named member of the public
  --training                                   for the training system (npm run training), which keeps its own secret`;

/** Roles a token may carry: the system role is the workflows' own. */
const ISSUABLE_ROLES = ROLES.filter((role) => role !== 'system');

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
      training: { type: 'boolean' },
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

const role = ISSUABLE_ROLES.find((issuable) => issuable === values.role);
if (!role) fail(`--role must be one of ${ISSUABLE_ROLES.join(', ')}`);
const config = loadConfig(process.env, { applicationWindow: 'policy', ...(values.training ? { dataDir: TRAINING_DATA_DIR } : {}) });
const hours = Number(values.hours);
if (!Number.isFinite(hours) || hours <= 0) fail(`--hours must be a positive number, got "${values.hours}"`);
const maxHours = config.tokenTrust.maxLifetimeSeconds / 3600;
if (hours > maxHours) fail(`--hours must be at most ${maxHours}: the API refuses a token that lives longer (AUTH_TOKEN_MAX_HOURS)`);

const actor: Actor = {
  id: values.id ?? values.uscc ?? values.department ?? `${role}-${values.district ?? 'city'}`,
  role,
  ...(values.district && role !== 'city' ? { districtCode: values.district } : {}),
  ...(values.department ? { department: values.department } : {}),
  ...(values.uscc ? { uscc: values.uscc } : {}),
};
// The API refuses a token without the claims its role acts on (api/auth.ts); so does this tool.
const missing = missingClaim(actor);
if (missing) fail(missing);
const uscc = actor.uscc === undefined ? null : validateUscc(actor.uscc);
if (uscc && !uscc.ok) fail(`--uscc: ${uscc.reason}`);
if (config.tokenTrust.jwksUrl) fail('AUTH_JWKS_URL is set: tokens come from the identity provider, not from this tool');
const secret = config.tokenTrust.secret ?? developmentSecret(config.dataDir, false);
if (secret === undefined) fail(`set AUTH_SECRET to the API's secret (or start the development system once with ${values.training ? 'npm run training' : 'npm start'}, which stores one in ${config.dataDir})`);
const problem = tokenTrustProblem({ ...config.tokenTrust, secret });
if (problem) fail(problem);
console.log(issueToken(secret, actor, tokenTimes(Date.now(), Math.round(hours * 3600)), config.tokenTrust));
