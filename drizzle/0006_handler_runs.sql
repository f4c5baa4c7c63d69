CREATE TABLE `webhook_handler_runs` (
	`provider` text NOT NULL,
	`event_id` text NOT NULL,
	`handler` text NOT NULL,
	`generation` integer NOT NULL,
	`completed_at` integer NOT NULL,
	PRIMARY KEY(`provider`, `event_id`, `handler`, `generation`)
);
