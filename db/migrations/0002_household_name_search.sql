-- Public lookup by name (T-PUB) searches by prefix or substring: a trigram index serves both.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "households_name_trgm_idx" ON "households" USING gin ("name" gin_trgm_ops);
