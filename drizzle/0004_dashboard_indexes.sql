CREATE INDEX `webhook_events_received_at_status` ON `webhook_events` (`received_at`,`status`);--> statement-breakpoint
CREATE INDEX `webhook_events_status_received_at` ON `webhook_events` (`status`,`received_at`);--> statement-breakpoint
CREATE INDEX `webhook_events_provider_status_received_at` ON `webhook_events` (`provider`,`status`,`received_at`);