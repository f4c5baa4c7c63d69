CREATE TABLE `webhook_entities` (
	`provider` text NOT NULL,
	`entity_key` text NOT NULL,
	`version` real,
	`holder` text,
	`holder_fence` integer,
	`lease_ends_at` integer,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`provider`, `entity_key`)
);
--> statement-breakpoint
ALTER TABLE `webhook_events` ADD `entity_key` text;--> statement-breakpoint
ALTER TABLE `webhook_events` ADD `entity_version` real;