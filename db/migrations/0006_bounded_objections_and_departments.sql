CREATE TABLE "departments" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"level" text NOT NULL,
	"district_code" text,
	CONSTRAINT "departments_level_check" CHECK (("departments"."level" = 'city' and "departments"."district_code" is null) or ("departments"."level" = 'district' and "departments"."district_code" is not null))
);
--> statement-breakpoint
ALTER TABLE "publicity_objections" ALTER COLUMN "objection_no" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "publicity_objections" ADD COLUMN "submission_id" text;--> statement-breakpoint
ALTER TABLE "publicity_objections" ADD COLUMN "sender_key" text;--> statement-breakpoint
ALTER TABLE "publicity_objections" ADD COLUMN "idempotency_key" text;--> statement-breakpoint
ALTER TABLE "publicity_objections" ADD COLUMN "resolution_reason" text;--> statement-breakpoint
CREATE INDEX "departments_district_idx" ON "departments" USING btree ("district_code");--> statement-breakpoint
CREATE UNIQUE INDEX "publicity_objections_submission_idx" ON "publicity_objections" USING btree ("submission_id");--> statement-breakpoint
CREATE UNIQUE INDEX "publicity_objections_idempotency_idx" ON "publicity_objections" USING btree ("case_id","idempotency_key");--> statement-breakpoint
CREATE INDEX "publicity_objections_sender_idx" ON "publicity_objections" USING btree ("case_id","sender_key");