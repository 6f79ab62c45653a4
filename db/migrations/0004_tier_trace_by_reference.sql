DROP INDEX "tiering_results_run_tier_idx";--> statement-breakpoint
ALTER TABLE "household_tiers" ALTER COLUMN "trace" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "tiering_results" ALTER COLUMN "trace" SET DATA TYPE json;--> statement-breakpoint
ALTER TABLE "tiering_runs" ADD COLUMN "tiers_applied_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "household_tiers" ADD CONSTRAINT "household_tiers_trace_check" CHECK ("household_tiers"."trace" is not null or ("household_tiers"."source" = 'run' and "household_tiers"."run_id" is not null));--> statement-breakpoint
-- Room on each page for the next year's version of its rows (HOT updates); drizzle-kit cannot declare it.
ALTER TABLE "household_tiers" SET (fillfactor = 50);
--> statement-breakpoint
-- Runs put in force before this migration had their tiers applied when they completed.
UPDATE "tiering_runs" SET "tiers_applied_at" = "completed_at" WHERE "in_force";
