CREATE TABLE `webhook_entities` (
	`provider` varbinary(255) NOT NULL,
	`entity_key` varbinary(255) NOT NULL,
	`version` double,
	`holder` varbinary(512),
	`holder_fence` int,
	`lease_ends_at` bigint,
	`updated_at` bigint NOT NULL,
	CONSTRAINT `webhook_entities_provider_entity_key_pk` PRIMARY KEY(`provider`,`entity_key`)
);
--> statement-breakpoint
ALTER TABLE `webhook_events` ADD `entity_key` varbinary(255);--> statement-breakpoint
ALTER TABLE `webhook_events` ADD `entity_version` double;