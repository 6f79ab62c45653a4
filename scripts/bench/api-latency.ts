/**
 * API latency under a steady load (issue 14): autocannon sends requests at a fixed rate to what
 * the public and the offices read most, and to a bare Fastify route served by the same process
 * (the floor: what Node, HTTP and the machine cost before the API does anything). Each target is
 * warmed up, then measured; requests rotate over many households, names and cases so that no
 * answer is read from one hot page.
 */
import autocannon, { type Result } from 'autocannon';
import type { Sql } from 'postgres';
import { cpuBetween, cpuSnapshot } from './cpu-time.js';
import { CITY_OFFICE, count, districtOffice, type TokenIssuer } from './shared.js';

const LATENCY_TARGET_P99_MS = 20;
const WARM_UP_SECONDS = 3;
/**
 * autocannon's rate is a budget per connection and second: each connection sends its share back
 * to back as each second begins, so the API meets bursts of as many requests as there are
 * connections. Requests arriving at random at 200/s keep about one in flight (200/s × a few ms):
 * bursts of 4 stand for that with a margin, bursts of 20 for a crowd arriving at once.
 */
const BURST_SIZES = [4, 20] as const;
const SAMPLE_KEYS = 5_000;
const MIN_NAME_QUERY_CHARACTERS = 3;

export interface ApiLatencyOptions {
  sql: Sql;
  token: TokenIssuer;
  apiBase: string;
  floorBase: string;
  rate: number;
  seconds: number;
  caseIds: readonly string[];
  district: string;
  /** The processes whose CPU time each route's load is measured in (cpu-time.ts). */
  parts: Readonly<Record<string, number>>;
}

interface Target {
  what: string;
  base: string;
  paths: readonly string[];
  token: string | null;
}

export async function benchApiLatency(options: ApiLatencyOptions): Promise<void> {
  const { sql, rate, seconds } = options;
  const { token } = options;
  const tiered = await sql<Array<{ uscc: string; name: string }>>`
    select h.uscc, h.name from households h join household_tiers t using (uscc)
    order by md5(h.uscc) limit ${SAMPLE_KEYS}`;
  const targets: Target[] = [
    { what: 'bare Fastify route, same process (floor)', base: options.floorBase, paths: ['/floor'], token: null },
    { what: 'public lookup by USCC', base: options.apiBase, paths: tiered.map((h) => `/public/households/${h.uscc}`), token: null },
    {
      what: 'public search by name',
      base: options.apiBase,
      paths: tiered.map((h) => `/public/households?name=${encodeURIComponent(nameQuery(h.name))}`),
      token: null,
    },
    { what: 'case read (city office)', base: options.apiBase, paths: options.caseIds.map((id) => `/cases/${id}`), token: token(CITY_OFFICE) },
    {
      what: `district worklist (${options.district})`,
      base: options.apiBase,
      paths: ['/worklist'],
      token: token(districtOffice(options.district)),
    },
  ];

  console.log(`API latency: autocannon at ${rate} requests/s for ${seconds} s per route after ${WARM_UP_SECONDS} s of warm-up (target p99 ≤ ${LATENCY_TARGET_P99_MS} ms)`);
  for (const connections of BURST_SIZES) {
    console.log(`  ${connections} connections: bursts of ${connections} requests at once`);
    let floor: Result | undefined;
    for (const target of targets) {
      await load(target, rate, connections, WARM_UP_SECONDS);
      const before = cpuSnapshot(options.parts);
      const result = await load(target, rate, connections, seconds);
      const cpu = cpuBetween(before, cpuSnapshot(options.parts));
      floor ??= result;
      const failed = result.errors + result.timeouts + result.non2xx;
      const ratio = target === targets[0] ? '' : `, ${(result.latency.p99 / floor.latency.p99).toFixed(1)}× the floor's p99`;
      const verdict = target === targets[0] ? '' : result.latency.p99 <= LATENCY_TARGET_P99_MS ? '  (met)' : '  (NOT met)';
      console.log(
        `    ${target.what.padEnd(42)} p50 ${ms(result.latency.p50)} p99 ${ms(result.latency.p99)}${ratio}; ` +
          `${count(result.requests.total)} requests, ${result.requests.average.toFixed(0)}/s${failed > 0 ? `, ${count(failed)} FAILED` : ''}${verdict}`,
      );
      console.log(`      CPU time meanwhile: ${cpu}`);
      if (failed > 0) throw new Error(`${target.what}: ${failed} requests failed or answered other than 2xx`);
    }
  }
}

function load(target: Target, rate: number, connections: number, seconds: number): Promise<Result> {
  let next = 0;
  return autocannon({
    url: target.base,
    connections,
    overallRate: rate,
    duration: seconds,
    headers: target.token === null ? {} : { authorization: `Bearer ${target.token}` },
    requests: [
      {
        method: 'GET',
        setupRequest: (request) => ({ ...request, path: target.paths[next++ % target.paths.length]! }),
      },
    ],
  });
}

/** A registered name without its district (河东区薛记水果店 → 薛记水果店): the shop's name as people know it. */
function nameQuery(name: string): string {
  const afterDistrict = name.indexOf('区') + 1;
  return afterDistrict > 0 && name.length - afterDistrict >= MIN_NAME_QUERY_CHARACTERS ? name.slice(afterDistrict) : name;
}

function ms(value: number): string {
  return `${value.toFixed(1).padStart(5)} ms`;
}
