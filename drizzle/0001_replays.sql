ALTER TABLE `webhook_events` ADD `attempt_base` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `webhook_events` ADD `replay` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `webhook_events` ADD `replays` integer DEFAULT 0 NOT NULL;