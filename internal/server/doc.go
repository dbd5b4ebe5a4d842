// Package server is the HTTP server of `picket run`: the JSON API under /api/v1 (described by
// api/openapi.yaml), Prometheus metrics at /metrics, the probes /healthz and /readyz, the
// reload hook POST /-/reload, the console login, and the web console mounted at /.
//
// # Security
//
// Listening on anything but a loopback address requires authentication: at least one API
// token or console user (New refuses otherwise). With users or tokens configured, every route
// except /healthz, /readyz and the login page requires either an API bearer token (compared
// by its SHA-256 hash, in constant time) or a console session (a random cookie, HttpOnly,
// SameSite=Lax, Secure under TLS, expiring after session_ttl). State-changing requests
// authenticated by the session cookie must carry the session's CSRF token (form field
// CSRFField or header CSRFHeader); bearer-token requests are exempt, as no browser attaches
// them by itself. Login attempts are rate-limited per client address.
//
// On loopback without users or tokens everything is open and the actor is "local"; the Host
// header must then name a loopback address (against DNS rebinding). In every mode
// http.CrossOriginProtection rejects cross-origin state-changing browser requests.
//
// Every action (a POST that changes something, a login) is written to the audit log with the
// authenticated actor. Errors are JSON {"error": "..."}; request bodies are size-limited and
// decoded strictly (unknown fields are a 400). Storage errors are logged and answered with a
// generic message, so that no internal detail (file paths, SQL) reaches the client.
package server
