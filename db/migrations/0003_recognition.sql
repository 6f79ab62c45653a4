CREATE TABLE "publicity_notices" (
	"case_id" text PRIMARY KEY NOT NULL,
	"uscc" text NOT NULL,
	"name" text NOT NULL,
	"district_code" text NOT NULL,
	"category" text NOT NULL,
	"published_on" date NOT NULL,
	"objections_until" date NOT NULL,
	"status" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "publicity_objections" (
	"id" serial PRIMARY KEY NOT NULL,
	"case_id" text NOT NULL,
	"objection_no" integer NOT NULL,
	"filed_by" text NOT NULL,
	"filed_at" timestamp with time zone NOT NULL,
	"reason" text NOT NULL,
	"resolution" text,
	"resolved_by" text,
	"resolved_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "quota_places" (
	"case_id" text PRIMARY KEY NOT NULL,
	"year" smallint NOT NULL,
	"district_code" text NOT NULL,
	"taken_at" timestamp with time zone NOT NULL,
	"released_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "quota_waitlist" (
	"case_id" text PRIMARY KEY NOT NULL,
	"year" smallint NOT NULL,
	"district_code" text NOT NULL,
	"ready_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "recognition_bans" (
	"case_id" text PRIMARY KEY NOT NULL,
	"uscc" text NOT NULL,
	"revoked_on" date NOT NULL,
	"banned_until" date NOT NULL,
	"reason" text NOT NULL,
	"decided_by" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "recognition_quotas" (
	"year" smallint NOT NULL,
	"district_code" text NOT NULL,
	"cap" integer NOT NULL,
	"used" integer DEFAULT 0 NOT NULL,
	"tiering_run_id" integer NOT NULL,
	CONSTRAINT "recognition_quotas_year_district_code_pk" PRIMARY KEY("year","district_code"),
	CONSTRAINT "recognition_quotas_cap_check" CHECK ("recognition_quotas"."used" >= 0 and "recognition_quotas"."used" <= "recognition_quotas"."cap")
);
--> statement-breakpoint
CREATE TABLE "recognitions" (
	"case_id" text PRIMARY KEY NOT NULL,
	"uscc" text NOT NULL,
	"name" text NOT NULL,
	"district_code" text NOT NULL,
	"category" text NOT NULL,
	"recognised_on" date NOT NULL,
	"valid_until" date NOT NULL,
	"benefits_from" date NOT NULL,
	"status" text NOT NULL,
	"origin" text DEFAULT 'tianjin' NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"version" integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE "cases" ADD COLUMN "waiting_for" text;--> statement-breakpoint
CREATE INDEX "publicity_notices_open_idx" ON "publicity_notices" USING btree ("status","objections_until");--> statement-breakpoint
CREATE UNIQUE INDEX "publicity_objections_case_no_idx" ON "publicity_objections" USING btree ("case_id","objection_no");--> statement-breakpoint
CREATE INDEX "quota_waitlist_rank_idx" ON "quota_waitlist" USING btree ("year","district_code","ready_at");--> statement-breakpoint
CREATE INDEX "recognition_bans_uscc_idx" ON "recognition_bans" USING btree ("uscc","banned_until");--> statement-breakpoint
CREATE UNIQUE INDEX "recognitions_one_valid_idx" ON "recognitions" USING btree ("uscc") WHERE "recognitions"."status" = 'recognised';--> statement-breakpoint
CREATE INDEX "recognitions_district_idx" ON "recognitions" USING btree ("district_code","status");--> statement-breakpoint
CREATE INDEX "cases_worklist_idx" ON "cases" USING btree ("waiting_for","district_code","due_on");