-- Alerts: detections, the alerts they fold into, and silences (package alert owns the model).
-- Times the queries compare exactly (event times, List's keyset, silence order) are bigint Unix
-- nanoseconds: timestamptz keeps only microseconds. Values that come from events (event ids,
-- raw events) are bytea; documents are json, not jsonb, which refuses \u0000. The columns are
-- those the queries filter or order by; the rest of each record is its JSON document (doc). Ids
-- are COLLATE "C": List and the keyset cursor order them bytewise, as Go compares strings.

-- One alert (alert.Alert as JSON in doc). Ingest looks up the candidates of a detection by
-- fingerprint and event-time span, under pg_advisory_xact_lock on the fingerprint; List filters
-- on the other columns and pages by (last_seen DESC, id DESC).
CREATE TABLE alerts (
	id               text     COLLATE "C" PRIMARY KEY,
	fingerprint      text     NOT NULL,
	rule_id          text     NOT NULL,
	source           text     NOT NULL,
	level            smallint NOT NULL,
	status           text     NOT NULL,
	first_seen       bigint   NOT NULL,
	last_seen        bigint   NOT NULL,
	last_detected_at bigint   NOT NULL,
	doc              json     NOT NULL
);

CREATE INDEX alerts_fingerprint ON alerts (fingerprint, last_seen, first_seen);
CREATE INDEX alerts_last_seen ON alerts (last_seen, id);
CREATE INDEX alerts_status_last_seen ON alerts (status, last_seen, id);
CREATE INDEX alerts_rule_last_seen ON alerts (rule_id, last_seen, id);
CREATE INDEX alerts_status_detected ON alerts (status, last_detected_at);

-- One detection per id (derived from rule id and event id): INSERT … ON CONFLICT DO NOTHING
-- makes ingestion idempotent. alert_id is NULL only inside the Ingest transaction that
-- inserts the row. raw is the event as stored evidence; doc is alert.Detection as JSON without
-- raw and alert_id.
CREATE TABLE detections (
	id         text   COLLATE "C" PRIMARY KEY,
	alert_id   text   REFERENCES alerts (id) ON DELETE CASCADE,
	rule_id    text   NOT NULL,
	event_id   bytea  NOT NULL,
	event_time bigint NOT NULL,
	source     text   NOT NULL,
	raw        bytea,
	doc        json   NOT NULL
);

CREATE INDEX detections_alert ON detections (alert_id, event_time);
CREATE INDEX detections_event_time ON detections (event_time, id);
CREATE INDEX detections_rule_event_time ON detections (rule_id, event_time, id);

-- Silences (alert.Silence as JSON in doc), read by expiry on every ingest batch.
CREATE TABLE silences (
	id         text   COLLATE "C" PRIMARY KEY,
	created_at bigint NOT NULL,
	ends_at    bigint NOT NULL,
	doc        json   NOT NULL
);

CREATE INDEX silences_ends_at ON silences (ends_at);
