CREATE TABLE `webhook_handler_runs` (
	`provider` varbinary(255) NOT NULL,
	`event_id` varbinary(512) NOT NULL,
	`handler` varbinary(255) NOT NULL,
	`generation` int NOT NULL,
	`completed_at` bigint NOT NULL,
	CONSTRAINT `webhook_handler_runs_provider_event_id_handler_generation_pk` PRIMARY KEY(`provider`,`event_id`,`handler`,`generation`)
);
