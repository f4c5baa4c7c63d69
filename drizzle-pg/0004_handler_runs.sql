CREATE TABLE "webhook_handler_runs" (
	"provider" text NOT NULL,
	"event_id" text NOT NULL,
	"handler" text NOT NULL,
	"generation" integer NOT NULL,
	"completed_at" bigint NOT NULL,
	CONSTRAINT "webhook_handler_runs_provider_event_id_handler_generation_pk" PRIMARY KEY("provider","event_id","handler","generation")
);
