/**
 * Issues a signed bearer token for development and operations:
 *   npm run token -- --role district --district 120104 --id reviewer-1 [--hours 12]
 *   npm run token -- --role household --uscc 92120104MA06B7Q40X
 */
import { parseArgs } from 'node:util';
import { issueToken } from '../api/auth.js';
import { ROLES, type Actor, type Role } from '../policy/actors.js';
import { loadConfig } from './config.js';

const { values } = parseArgs({
  options: {
    role: { type: 'string' },
    id: { type: 'string' },
    district: { type: 'string' },
    department: { type: 'string' },
    uscc: { type: 'string' },
    hours: { type: 'string', default: '12' },
  },
});

const role = values.role as Role | undefined;
if (!role || !(ROLES as readonly string[]).includes(role)) {
  console.error(`--role must be one of ${ROLES.join(', ')}`);
  process.exit(2);
}
const actor: Actor = {
  id: values.id ?? values.uscc ?? values.department ?? `${role}-${values.district ?? 'city'}`,
  role,
  ...(values.district ? { districtCode: values.district } : {}),
  ...(values.department ? { department: values.department } : {}),
  ...(values.uscc ? { uscc: values.uscc } : {}),
};
const expiresAt = Math.floor(Date.now() / 1000) + Number(values.hours) * 3600;
console.log(issueToken(loadConfig().authSecret, actor, expiresAt));
