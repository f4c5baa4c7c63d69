CREATE TABLE "webhook_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"provider" text NOT NULL,
	"event_id" text NOT NULL,
	"type" text NOT NULL,
	"body" text NOT NULL,
	"body_parts" integer DEFAULT 1 NOT NULL,
	"digest" text,
	"headers" text NOT NULL,
	"status" text NOT NULL,
	"attempts" integer NOT NULL,
	"attempt_base" integer DEFAULT 0 NOT NULL,
	"locked_until" bigint,
	"next_attempt_at" bigint,
	"last_error" text,
	"replay" boolean DEFAULT false NOT NULL,
	"replays" integer DEFAULT 0 NOT NULL,
	"received_at" bigint NOT NULL,
	"processed_at" bigint,
	"updated_at" bigint NOT NULL,
	CONSTRAINT "webhook_events_provider_event_id" UNIQUE("provider","event_id"),
	CONSTRAINT "webhook_events_digest_provider" UNIQUE("digest","provider")
);
--> statement-breakpoint
CREATE INDEX "webhook_events_status_next_attempt" ON "webhook_events" USING btree ("status","next_attempt_at");