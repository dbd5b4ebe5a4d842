-- Alerts: detections, the alerts they fold into, and silences (package alert owns the model).
-- Times are INTEGER Unix nanoseconds (UTC): List pages by (last_seen, id) and the dedup window
-- compares exact event times. The columns are those the queries filter or order by; the rest of
-- each record is a JSON document (doc).

-- One alert (alert.Alert as JSON in doc). Ingest looks up the candidates of a detection by
-- fingerprint and event-time span; List filters on the other columns and pages by
-- (last_seen DESC, id DESC).
CREATE TABLE alerts (
	id               TEXT    NOT NULL PRIMARY KEY,
	fingerprint      TEXT    NOT NULL,
	rule_id          TEXT    NOT NULL,
	source           TEXT    NOT NULL,
	level            INTEGER NOT NULL,
	status           TEXT    NOT NULL,
	first_seen       INTEGER NOT NULL,
	last_seen        INTEGER NOT NULL,
	last_detected_at INTEGER NOT NULL,
	doc              TEXT    NOT NULL
) STRICT;

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
	id         TEXT    NOT NULL PRIMARY KEY,
	alert_id   TEXT    REFERENCES alerts (id) ON DELETE CASCADE,
	rule_id    TEXT    NOT NULL,
	event_id   TEXT    NOT NULL,
	event_time INTEGER NOT NULL,
	source     TEXT    NOT NULL,
	raw        BLOB,
	doc        TEXT    NOT NULL
) STRICT;

CREATE INDEX detections_alert ON detections (alert_id, event_time);
CREATE INDEX detections_event_time ON detections (event_time, id);
CREATE INDEX detections_rule_event_time ON detections (rule_id, event_time, id);

-- Silences (alert.Silence as JSON in doc), read by expiry on every ingest batch.
CREATE TABLE silences (
	id         TEXT    NOT NULL PRIMARY KEY,
	created_at INTEGER NOT NULL,
	ends_at    INTEGER NOT NULL,
	doc        TEXT    NOT NULL
) STRICT;

CREATE INDEX silences_ends_at ON silences (ends_at);
