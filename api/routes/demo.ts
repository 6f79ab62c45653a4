import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { issueToken, tokenTimes, type TokenTrust } from '../auth.js';
import { HttpError, errorResponses, rejectedTokenResponseSchema } from '../errors.js';
import { tagRoutes } from '../openapi-tags.js';
import { actorSchema } from './session.js';
import type { DemoActor } from '../deps.js';

/** An actor of the demo data whom the development login page lets anyone act as. */
/** Hours a demo sign-in lasts. */
const DEMO_SESSION_HOURS = 12;

const demoActorSchema = Type.Object({ actor: actorSchema, label: Type.String(), description: Type.String() });

/**
 * Development only: registered when buildApp is given demo actors (`npm start`), never in a
 * deployment, where tokens come from the identity provider. It lists the demo actors and signs
 * in as one, so the pages can be tried without a token tool. `tokenNow` is the clock tokens are
 * verified by (the wall clock in a training system).
 */
export function demoRoutes(tokenNow: () => number, demoActors: readonly DemoActor[], trust: Partial<TokenTrust> & Pick<TokenTrust, 'issuer' | 'audience'>): FastifyPluginAsyncTypebox {
  const { secret } = trust;
  if (secret === undefined) throw new Error('demo actors sign in with tokens signed by the shared secret, and none is configured');
  const lifetimeSeconds = Math.min(DEMO_SESSION_HOURS * 3600, trust.maxLifetimeSeconds ?? DEMO_SESSION_HOURS * 3600);
  return async (app) => {
    tagRoutes(app, 'demo');
    app.get(
      '/demo/actors',
      {
        // Development only, signed into again and again by the browser tests: not rate-limited.
        config: { public: true, rateLimit: false },
        schema: {
          summary: 'Development only: the demo actors one may sign in as',
          security: [],
          response: { 200: Type.Array(demoActorSchema), 401: rejectedTokenResponseSchema },
        },
      },
      async () => [...demoActors],
    );

    app.post(
      '/demo/sessions',
      {
        // Development only, signed into again and again by the browser tests: not rate-limited.
        config: { public: true, rateLimit: false },
        schema: {
          summary: 'Development only: a bearer token for one of the demo actors',
          security: [],
          body: Type.Object({ actorId: Type.String({ minLength: 1, maxLength: 100 }) }, { additionalProperties: false }),
          response: {
            200: Type.Object({ token: Type.String(), actor: actorSchema, expiresAt: Type.String({ format: 'date-time' }) }),
            ...errorResponses([400, 401, 404], { public: true }),
          },
        },
      },
      async (request) => {
        const demo = demoActors.find((d) => d.actor.id === request.body.actorId);
        if (!demo) throw new HttpError(404, '没有这个演示账号：请从登录页的演示账号中选择', { field: 'actorId' });
        // The clock tokens are verified by: a training clock moved ahead would issue a token "from the future".
        const times = tokenTimes(tokenNow(), lifetimeSeconds);
        return {
          token: issueToken(secret, demo.actor, times, trust),
          actor: demo.actor,
          expiresAt: new Date(times.expiresAt * 1000).toISOString(),
        };
      },
    );
  };
}
