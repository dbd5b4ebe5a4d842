// Package console is picket's web console: server-rendered HTML pages for people who triage
// alerts, look after sources and rules, manage silences and review the audit log.
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
//	GET  /silences                silences and the form to create one
//	POST /silences                create a silence (matchers, duration or end, comment)
//	POST /silences/preview        the open alerts the silence of the form would match
//	POST /silences/{id}/expire    expire a silence now
//	GET  /audit                   audit log: filters by actor, action, target; older pages
//
// # Invariants
//
//   - Every value that comes from data (event fields, rule titles and YAML, group values,
//     comments) is escaped by html/template; the package never converts data to template.HTML,
//     template.JS or template.URL.
//   - Responses carry a Content-Security-Policy without inline script or style,
//     frame-ancestors 'none' and X-Content-Type-Options: nosniff.
//   - Every form that changes state is a POST that carries the CSRF field of Deps and answers
//     with a redirect (POST-redirect-GET) once it succeeds; a form that fails validation is
//     shown again with its values and the errors next to the fields (400). The preview is a
//     POST that changes nothing and answers with the page. The actor recorded is Deps.User(r).
//   - Authentication and the CSRF check belong to the server that mounts the handler: the
//     console trusts the requests it receives.
package console
