// Package console is picket's web console: server-rendered HTML pages for people who triage
// alerts, look after sources and rules, and manage silences.
//
// The pages are html/template documents parsed once by New; the stylesheet, a small script and
// the icon are embedded with go:embed and served under /static/, so the console needs no CDN
// and no JavaScript build step. Every page works without JavaScript: the script only adds
// conveniences (select all, confirmations).
//
// # Pages
//
//	GET  /, /alerts               alerts inbox (filters, counts per level, bulk acknowledge)
//	GET  /alerts/{id}             one alert: rule, timeline, evidence, why it fired, history
//	POST /alerts/acknowledge      bulk acknowledge (form values id=…)
//	POST /alerts/{id}/{action}    acknowledge, resolve, reopen, silence
//	GET  /sources                 source health
//	GET  /rules, /rules/{id}      rules; POST /rules/{id}/enable and /disable
//	GET  /coverage                ATT&CK matrix of the rules' tags
//	GET  /overview                alerts over time, counts by level
//	GET  /silences                silences; POST /silences/{id}/expire
//
// # Invariants
//
//   - Every value that comes from data (event fields, rule titles and YAML, group values,
//     comments) is escaped by html/template; the package never converts data to template.HTML,
//     template.JS or template.URL.
//   - Responses carry a Content-Security-Policy without inline script or style,
//     frame-ancestors 'none' and X-Content-Type-Options: nosniff.
//   - Every form that changes state is a POST that carries the CSRF field of Deps and answers
//     with a redirect (POST-redirect-GET); the actor recorded is Deps.User(r).
//   - Authentication and the CSRF check belong to the server that mounts the handler: the
//     console trusts the requests it receives.
package console
