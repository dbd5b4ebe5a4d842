-- Audit log (package audit): one row per action, append-only. seq orders entries recorded at
-- the same time (newest first means at DESC, seq DESC). Text from users and logs (actor,
-- target, detail) is TEXT, which keeps any byte string. at is Unix nanoseconds (UTC).
CREATE TABLE audit_log (
	seq         INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
	at          INTEGER NOT NULL,
	actor       TEXT    NOT NULL,
	action      TEXT    NOT NULL,
	target      TEXT    NOT NULL,
	detail      TEXT    NOT NULL,
	remote_addr TEXT    NOT NULL
) STRICT;

CREATE INDEX audit_log_at ON audit_log (at, seq);
CREATE INDEX audit_log_target ON audit_log (target, at, seq);
