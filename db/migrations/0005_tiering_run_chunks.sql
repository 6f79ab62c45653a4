CREATE TABLE "tiering_run_chunks" (
	"run_id" integer NOT NULL,
	"chunk_index" integer NOT NULL,
	"households" integer NOT NULL,
	"counts_by_district" jsonb NOT NULL,
	"moves" jsonb NOT NULL,
	CONSTRAINT "tiering_run_chunks_run_id_chunk_index_pk" PRIMARY KEY("run_id","chunk_index")
);
