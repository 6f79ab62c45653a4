CREATE TABLE "annual_reports" (
	"uscc" text NOT NULL,
	"year" smallint NOT NULL,
	"filed_on" date,
	"revenue" numeric(16, 2),
	CONSTRAINT "annual_reports_uscc_year_pk" PRIMARY KEY("uscc","year")
);
--> statement-breakpoint
CREATE TABLE "credit_events" (
	"uscc" text NOT NULL,
	"kind" text NOT NULL,
	"listed_on" date NOT NULL,
	"cleared_on" date,
	"detail" text,
	CONSTRAINT "credit_events_uscc_kind_listed_on_pk" PRIMARY KEY("uscc","kind","listed_on")
);
--> statement-breakpoint
CREATE TABLE "dishonest_debtors" (
	"operator_id" text NOT NULL,
	"listed_on" date NOT NULL,
	"cleared_on" date,
	CONSTRAINT "dishonest_debtors_operator_id_listed_on_pk" PRIMARY KEY("operator_id","listed_on")
);
--> statement-breakpoint
CREATE TABLE "household_tiers" (
	"uscc" text PRIMARY KEY NOT NULL,
	"year" smallint NOT NULL,
	"tier" text NOT NULL,
	"source" text NOT NULL,
	"run_id" integer,
	"as_of" date NOT NULL,
	"rule_version" text NOT NULL,
	"trace" jsonb NOT NULL,
	"decided_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "import_rejections" (
	"import_id" integer NOT NULL,
	"line" integer NOT NULL,
	"column" text NOT NULL,
	"reason" text NOT NULL,
	CONSTRAINT "import_rejections_import_id_line_column_pk" PRIMARY KEY("import_id","line","column")
);
--> statement-breakpoint
CREATE TABLE "imports" (
	"id" serial PRIMARY KEY NOT NULL,
	"feed" text NOT NULL,
	"file_name" text NOT NULL,
	"file_sha256" text NOT NULL,
	"imported_by" text NOT NULL,
	"status" text NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"finished_at" timestamp with time zone,
	"rows_read" integer DEFAULT 0 NOT NULL,
	"rows_accepted" integer DEFAULT 0 NOT NULL,
	"rows_rejected" integer DEFAULT 0 NOT NULL,
	"rows_changed" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ip_rights" (
	"kind" text NOT NULL,
	"registration_no" text NOT NULL,
	"uscc" text NOT NULL,
	"holder" text NOT NULL,
	"in_use" boolean DEFAULT false NOT NULL,
	CONSTRAINT "ip_rights_kind_registration_no_pk" PRIMARY KEY("kind","registration_no")
);
--> statement-breakpoint
CREATE TABLE "social_insurance" (
	"uscc" text NOT NULL,
	"year" smallint NOT NULL,
	"insured_count" integer NOT NULL,
	CONSTRAINT "social_insurance_uscc_year_pk" PRIMARY KEY("uscc","year")
);
--> statement-breakpoint
CREATE TABLE "support_measures" (
	"id" text PRIMARY KEY NOT NULL,
	"applies_to" text NOT NULL,
	"clause" text NOT NULL,
	"measure" text NOT NULL,
	"departments" text[] NOT NULL,
	"without_application" boolean NOT NULL
);
--> statement-breakpoint
CREATE TABLE "tax_records" (
	"uscc" text NOT NULL,
	"year" smallint NOT NULL,
	"tax_registered_on" date,
	"general_taxpayer" boolean DEFAULT false NOT NULL,
	"vat_paid" numeric(16, 2),
	"iit_paid" numeric(16, 2),
	"abnormal" boolean DEFAULT false NOT NULL,
	CONSTRAINT "tax_records_uscc_year_pk" PRIMARY KEY("uscc","year")
);
--> statement-breakpoint
CREATE TABLE "tier_history" (
	"id" serial PRIMARY KEY NOT NULL,
	"uscc" text NOT NULL,
	"year" smallint NOT NULL,
	"tier" text NOT NULL,
	"previous_tier" text,
	"source" text NOT NULL,
	"run_id" integer,
	"objection_id" text,
	"decided_by" text NOT NULL,
	"decided_at" timestamp with time zone NOT NULL,
	"reason" text,
	"trace" jsonb
);
--> statement-breakpoint
CREATE TABLE "tier_objections" (
	"objection_id" text PRIMARY KEY NOT NULL,
	"uscc" text NOT NULL,
	"year" smallint NOT NULL,
	"contested_tier" text NOT NULL,
	"reason" text NOT NULL,
	"corrected_facts" jsonb,
	"status" text NOT NULL,
	"filed_by" text NOT NULL,
	"filed_at" timestamp with time zone NOT NULL,
	"due_on" date,
	"decision" text,
	"decided_tier" text,
	"decision_reason" text,
	"decided_by" text,
	"decided_at" timestamp with time zone,
	"version" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "tier_thresholds" (
	"year" smallint PRIMARY KEY NOT NULL,
	"growth_revenue_yuan" numeric(16, 2) NOT NULL,
	"development_revenue_yuan" numeric(16, 2) NOT NULL,
	"updated_by" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "tiering_results" (
	"run_id" integer NOT NULL,
	"uscc" text NOT NULL,
	"district_code" text NOT NULL,
	"tier" text NOT NULL,
	"trace" jsonb NOT NULL,
	CONSTRAINT "tiering_results_run_id_uscc_pk" PRIMARY KEY("run_id","uscc")
);
--> statement-breakpoint
CREATE TABLE "tiering_runs" (
	"id" serial PRIMARY KEY NOT NULL,
	"year" smallint NOT NULL,
	"version" integer NOT NULL,
	"as_of" date NOT NULL,
	"thresholds" jsonb NOT NULL,
	"rule_version" text NOT NULL,
	"status" text NOT NULL,
	"workflow_id" text NOT NULL,
	"requested_by" text NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"completed_at" timestamp with time zone,
	"households" integer DEFAULT 0 NOT NULL,
	"processed" integer DEFAULT 0 NOT NULL,
	"counts_by_tier" jsonb,
	"counts_by_district" jsonb,
	"quota_base" integer,
	"movements" jsonb,
	"in_force" boolean DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE INDEX "imports_feed_idx" ON "imports" USING btree ("feed","started_at");--> statement-breakpoint
CREATE INDEX "ip_rights_uscc_idx" ON "ip_rights" USING btree ("uscc");--> statement-breakpoint
CREATE INDEX "support_measures_applies_idx" ON "support_measures" USING btree ("applies_to");--> statement-breakpoint
CREATE INDEX "tier_history_uscc_idx" ON "tier_history" USING btree ("uscc","decided_at");--> statement-breakpoint
CREATE INDEX "tier_objections_status_idx" ON "tier_objections" USING btree ("status","due_on");--> statement-breakpoint
CREATE INDEX "tiering_results_run_tier_idx" ON "tiering_results" USING btree ("run_id","tier");--> statement-breakpoint
CREATE UNIQUE INDEX "tiering_runs_year_version_idx" ON "tiering_runs" USING btree ("year","version");--> statement-breakpoint
CREATE UNIQUE INDEX "tiering_runs_in_force_idx" ON "tiering_runs" USING btree ("year") WHERE "tiering_runs"."in_force";--> statement-breakpoint
CREATE UNIQUE INDEX "tiering_runs_workflow_idx" ON "tiering_runs" USING btree ("workflow_id");