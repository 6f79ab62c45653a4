CREATE TABLE "case_events" (
	"case_id" text NOT NULL,
	"seq" integer NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"actor_id" text NOT NULL,
	"actor_role" text NOT NULL,
	"action" text NOT NULL,
	"from_status" text,
	"to_status" text NOT NULL,
	"reason" text,
	"clauses" text[] DEFAULT '{}'::text[] NOT NULL,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL,
	CONSTRAINT "case_events_case_id_seq_pk" PRIMARY KEY("case_id","seq")
);
--> statement-breakpoint
CREATE TABLE "cases" (
	"case_id" text PRIMARY KEY NOT NULL,
	"uscc" text NOT NULL,
	"year" integer NOT NULL,
	"category" text NOT NULL,
	"route" text NOT NULL,
	"district_code" text NOT NULL,
	"status" text NOT NULL,
	"due_on" date,
	"version" integer NOT NULL,
	"view" jsonb NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "holiday_notices" (
	"year" integer PRIMARY KEY NOT NULL,
	"notice" text NOT NULL,
	"published_on" date NOT NULL,
	"days_off" date[] NOT NULL,
	"make_up_workdays" date[] NOT NULL,
	"loaded_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "households" (
	"uscc" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"operator_id" text NOT NULL,
	"operator_name" text NOT NULL,
	"district_code" text NOT NULL,
	"industry_code" text,
	"established_on" date NOT NULL,
	"status" text NOT NULL,
	"seasonal" boolean DEFAULT false NOT NULL,
	"suspended_on" date,
	"special_group" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "case_events_at_idx" ON "case_events" USING btree ("at");--> statement-breakpoint
CREATE INDEX "cases_status_district_idx" ON "cases" USING btree ("status","district_code");--> statement-breakpoint
CREATE INDEX "cases_uscc_year_idx" ON "cases" USING btree ("uscc","year");--> statement-breakpoint
CREATE INDEX "cases_due_idx" ON "cases" USING btree ("due_on");--> statement-breakpoint
CREATE INDEX "households_district_idx" ON "households" USING btree ("district_code");--> statement-breakpoint
CREATE INDEX "households_operator_idx" ON "households" USING btree ("operator_id");