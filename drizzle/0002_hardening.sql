CREATE TABLE `webhook_event_parts` (
	`digest` text NOT NULL,
	`part` integer NOT NULL,
	`data` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`digest`, `part`)
);
--> statement-breakpoint
ALTER TABLE `webhook_events` ADD `body_parts` integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE `webhook_events` ADD `digest` text;--> statement-breakpoint
CREATE UNIQUE INDEX `webhook_events_digest_provider` ON `webhook_events` (`digest`,`provider`);--> statement-breakpoint
-- The Stripe adapter no longer keeps the signature header: a stored event is parsed from its body alone.
UPDATE `webhook_events` SET `headers` = json_remove(`headers`, '$."stripe-signature"') WHERE `headers` LIKE '%stripe-signature%';
