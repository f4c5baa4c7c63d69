CREATE TABLE `idempotency_key_parts` (
	`scope` varbinary(255) NOT NULL,
	`key` varbinary(255) NOT NULL,
	`token` varchar(64) NOT NULL,
	`part` int NOT NULL,
	`data` longtext CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
	CONSTRAINT `idempotency_key_parts_scope_key_token_part_pk` PRIMARY KEY(`scope`,`key`,`token`,`part`)
);
--> statement-breakpoint
CREATE TABLE `idempotency_keys` (
	`scope` varbinary(255) NOT NULL,
	`key` varbinary(255) NOT NULL,
	`fingerprint` varchar(64) NOT NULL,
	`method` varchar(16) NOT NULL,
	`path` text CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
	`status` varchar(16) NOT NULL,
	`lock_token` varchar(64),
	`expires_at` bigint NOT NULL,
	`locked_until` bigint,
	`response_status` int,
	`response_headers` text CHARACTER SET utf8mb4 COLLATE utf8mb4_bin,
	`response_body` longtext CHARACTER SET utf8mb4 COLLATE utf8mb4_bin,
	`response_parts` int NOT NULL DEFAULT 1,
	`created_at` bigint NOT NULL,
	`updated_at` bigint NOT NULL,
	CONSTRAINT `idempotency_keys_scope_key_pk` PRIMARY KEY(`scope`,`key`)
);
--> statement-breakpoint
CREATE TABLE `webhook_event_parts` (
	`digest` varbinary(64) NOT NULL,
	`part` int NOT NULL,
	`data` longtext CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
	`created_at` bigint NOT NULL,
	CONSTRAINT `webhook_event_parts_digest_part_pk` PRIMARY KEY(`digest`,`part`)
);
--> statement-breakpoint
CREATE TABLE `webhook_events` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`provider` varbinary(255) NOT NULL,
	`event_id` varbinary(512) NOT NULL,
	`type` text CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
	`body` longtext CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
	`body_parts` int NOT NULL DEFAULT 1,
	`digest` varbinary(64),
	`headers` text CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
	`status` varchar(16) NOT NULL,
	`attempts` int NOT NULL,
	`attempt_base` int NOT NULL DEFAULT 0,
	`locked_until` bigint,
	`next_attempt_at` bigint,
	`last_error` text CHARACTER SET utf8mb4 COLLATE utf8mb4_bin,
	`replay` boolean NOT NULL DEFAULT false,
	`replays` int NOT NULL DEFAULT 0,
	`received_at` bigint NOT NULL,
	`processed_at` bigint,
	`updated_at` bigint NOT NULL,
	`due_at` bigint GENERATED ALWAYS AS (coalesce(next_attempt_at, locked_until)) STORED,
	CONSTRAINT `webhook_events_id` PRIMARY KEY(`id`),
	CONSTRAINT `webhook_events_provider_event_id` UNIQUE(`provider`,`event_id`),
	CONSTRAINT `webhook_events_digest_provider` UNIQUE(`digest`,`provider`)
);
--> statement-breakpoint
CREATE INDEX `idempotency_keys_expires_at` ON `idempotency_keys` (`expires_at`);--> statement-breakpoint
CREATE INDEX `webhook_events_status_next_attempt` ON `webhook_events` (`status`,`next_attempt_at`);--> statement-breakpoint
CREATE INDEX `webhook_events_due_at` ON `webhook_events` (`due_at`);--> statement-breakpoint
CREATE INDEX `webhook_events_received_at_status` ON `webhook_events` (`received_at`,`status`);--> statement-breakpoint
CREATE INDEX `webhook_events_status_received_at` ON `webhook_events` (`status`,`received_at`);--> statement-breakpoint
CREATE INDEX `webhook_events_provider_status_received_at` ON `webhook_events` (`provider`,`status`,`received_at`);