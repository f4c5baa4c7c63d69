CREATE TABLE "webhook_entities" (
	"provider" text NOT NULL,
	"entity_key" text NOT NULL,
	"version" double precision,
	"holder" text,
	"holder_fence" integer,
	"lease_ends_at" bigint,
	"updated_at" bigint NOT NULL,
	CONSTRAINT "webhook_entities_provider_entity_key_pk" PRIMARY KEY("provider","entity_key")
);
--> statement-breakpoint
ALTER TABLE "webhook_events" ADD COLUMN "entity_key" text;--> statement-breakpoint
ALTER TABLE "webhook_events" ADD COLUMN "entity_version" double precision;