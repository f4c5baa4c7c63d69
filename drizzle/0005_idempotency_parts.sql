CREATE TABLE `idempotency_key_parts` (
	`scope` text NOT NULL,
	`key` text NOT NULL,
	`token` text NOT NULL,
	`part` integer NOT NULL,
	`data` text NOT NULL,
	PRIMARY KEY(`scope`, `key`, `token`, `part`)
);
--> statement-breakpoint
ALTER TABLE `idempotency_keys` ADD `locked_until` integer;--> statement-breakpoint
ALTER TABLE `idempotency_keys` ADD `response_parts` integer DEFAULT 1 NOT NULL;