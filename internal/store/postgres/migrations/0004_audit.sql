-- Audit log (package audit): one row per action, append-only. seq orders entries recorded at
-- the same time (newest first means at DESC, seq DESC). Text from users and logs (actor,
-- target, detail, remote_addr) is bytea: text refuses NUL and invalid UTF-8, and a hostile
-- login name must not make the write fail. at is Unix nanoseconds, like the alert times.
CREATE TABLE audit_log (
	seq         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	at          bigint NOT NULL,
	actor       bytea  NOT NULL,
	action      text   NOT NULL,
	target      bytea  NOT NULL,
	detail      bytea  NOT NULL,
	remote_addr bytea  NOT NULL
);

CREATE INDEX audit_log_at ON audit_log (at, seq);
CREATE INDEX audit_log_target ON audit_log (target, at, seq);
