CREATE TABLE `webhook_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`provider` text NOT NULL,
	`event_id` text NOT NULL,
	`type` text NOT NULL,
	`body` text NOT NULL,
	`headers` text NOT NULL,
	`status` text NOT NULL,
	`attempts` integer NOT NULL,
	`locked_until` integer,
	`next_attempt_at` integer,
	`last_error` text,
	`received_at` integer NOT NULL,
	`processed_at` integer,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `webhook_events_status_next_attempt` ON `webhook_events` (`status`,`next_attempt_at`);--> statement-breakpoint
CREATE UNIQUE INDEX `webhook_events_provider_event_id` ON `webhook_events` (`provider`,`event_id`);