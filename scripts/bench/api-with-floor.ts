/**
 * The API as deployed (api/server.ts) and, in the same process, a bare Fastify route: the floor
 * the bench measures the API's latency against, on the same event loop and the same cores.
 */
import Fastify from 'fastify';

await import('../../api/server.js');

const floor = Fastify();
floor.get('/floor', async () => ({ ok: true }));
await floor.listen({ host: '127.0.0.1', port: Number(process.env.BENCH_FLOOR_PORT) });
