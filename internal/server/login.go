package server

import (
	"html/template"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// loginTemplate is the console's login page. It has no script and loads nothing.
var loginTemplate = template.Must(template.New("login").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>picket — sign in</title>
<style>body{font-family:system-ui,sans-serif;max-width:22rem;margin:4rem auto;padding:0 1rem}
label{display:block;margin:.8rem 0 .2rem}input{width:100%;padding:.4rem;box-sizing:border-box}
button{margin-top:1rem;padding:.5rem 1rem}.error{color:#b00020}</style></head>
<body><h1>picket</h1>
{{if .Error}}<p class="error" role="alert">{{.Error}}</p>{{end}}
{{if .Enabled}}<form method="post" action="/login">
<input type="hidden" name="next" value="{{.Next}}">
<label for="user">User</label><input id="user" name="user" autocomplete="username" required autofocus>
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button></form>
{{else}}<p>No console users are configured (server.users).</p>{{end}}
</body></html>
`))

type loginData struct {
	Enabled bool
	Error   string
	Next    string
}

func (s *Server) renderLogin(w http.ResponseWriter, status int, d loginData) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	w.WriteHeader(status)
	if err := loginTemplate.Execute(w, d); err != nil {
		s.logger.Debug("rendering the login page", "err", err)
	}
}

// loginPage serves GET /login.
func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	s.renderLogin(w, http.StatusOK, loginData{Enabled: len(s.auth.users) > 0, Next: safeNext(r.URL.Query().Get("next"))})
}

// login serves POST /login (form fields user, password, next): on success it starts a session
// and redirects to next (a local path) with 303.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	d := loginData{Enabled: len(s.auth.users) > 0}
	if !d.Enabled {
		s.renderLogin(w, http.StatusNotFound, d)
		return
	}
	addr := clientAddr(r)
	if ok, wait := s.auth.logins.allow(addr, s.clock()); !ok {
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
		d.Error = "Too many sign-in attempts. Try again later."
		s.renderLogin(w, http.StatusTooManyRequests, d)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBody)
	if err := r.ParseForm(); err != nil || !isForm(r) {
		d.Error = "Malformed sign-in form."
		s.renderLogin(w, http.StatusBadRequest, d)
		return
	}
	user, password := r.PostForm.Get("user"), r.PostForm.Get("password")
	d.Next = safeNext(r.PostForm.Get("next"))
	if !s.auth.checkPassword(user, password) {
		s.recordAs(r, user, "login.failed", "")
		d.Error = "Wrong user or password."
		s.renderLogin(w, http.StatusUnauthorized, d)
		return
	}
	s.auth.logins.reset(addr)
	id, _ := s.auth.newSession(user)
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: id, Path: "/", HttpOnly: true, Secure: s.tls,
		SameSite: http.SameSiteLaxMode, MaxAge: int(s.auth.ttl / time.Second),
	})
	s.recordAs(r, user, "login", "")
	next := d.Next
	if next == "" {
		next = "/"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// logout serves POST /logout: ends the session (CSRF-checked by guard) and goes to /login.
func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		s.auth.endSession(c.Value)
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", HttpOnly: true, Secure: s.tls, SameSite: http.SameSiteLaxMode, MaxAge: -1})
	s.record(r, "logout", "", "")
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// recordAs records an action of a user not yet authenticated (a login).
func (s *Server) recordAs(r *http.Request, actor, action, detail string) {
	s.record(r.WithContext(withIdentity(r.Context(), identity{actor: actor})), action, "", detail)
}

// safeNext keeps a post-login destination only when it is a path on this server, so that the
// login form cannot be turned into an open redirect.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n\t") {
		return ""
	}
	return next
}
