import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: ['./db/schema.ts', './db/tiering-schema.ts', './db/recognition-schema.ts', './db/notification-schema.ts'],
  out: './db/migrations',
});
