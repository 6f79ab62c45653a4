// Ports for the servers a script starts: free, distinct within a process, and outside the range the
// kernel takes client ports from, so no outgoing connection can claim one before its server listens.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { expect, it } from 'vitest';
import { freePort } from '../../scripts/postgres.js';

it('hands out distinct free ports below the kernel’s range for outgoing connections', async () => {
  const [ephemeralLow] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
  const ports = await Promise.all(Array.from({ length: 40 }, () => freePort()));
  expect(new Set(ports).size).toBe(ports.length);
  for (const port of ports) expect(port).toBeLessThan(ephemeralLow!);
  for (const port of ports.slice(0, 5)) {
    const server = createServer();
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', resolve));
    await new Promise((resolve) => server.close(resolve));
  }
});
