package server

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"picket/internal/config"
)

const (
	ciToken  = "ci-token-value"
	password = "correct horse battery staple"
)

func authConfig(t *testing.T) config.Server {
	return config.Server{
		Listen:     "0.0.0.0:8089",
		Tokens:     []config.Token{{Name: "ci", SHA256: HashToken(ciToken)}, {Name: "other", SHA256: HashToken("other-token")}},
		Users:      []config.User{{Name: "ana", PasswordHash: mustHash(t, password)}},
		SessionTTL: time.Hour,
	}
}

func TestNewValidation(t *testing.T) {
	tests := []struct {
		name    string
		cfg     config.Server
		wantErr string
	}{
		{"default loopback, open", config.Server{}, ""},
		{"ipv6 loopback, open", config.Server{Listen: "[::1]:9000"}, ""},
		{"localhost, open", config.Server{Listen: "localhost:9000"}, ""},
		{"all interfaces without auth", config.Server{Listen: "0.0.0.0:8089"}, "requires authentication"},
		{"empty host without auth", config.Server{Listen: ":8089"}, "requires authentication"},
		{"host name without auth", config.Server{Listen: "picket.example.com:8089"}, "requires authentication"},
		{"all interfaces with a token", config.Server{Listen: ":8089", Tokens: []config.Token{{Name: "ci", SHA256: HashToken("x")}}}, ""},
		{"bad token hash", config.Server{Tokens: []config.Token{{Name: "ci", SHA256: "abc"}}}, "64 hex digits"},
		{"token without name", config.Server{Tokens: []config.Token{{SHA256: HashToken("x")}}}, "no name"},
		{"duplicate token", config.Server{Tokens: []config.Token{{Name: "a", SHA256: HashToken("x")}, {Name: "a", SHA256: HashToken("y")}}}, "used twice"},
		{"bad password hash", config.Server{Users: []config.User{{Name: "ana", PasswordHash: "secret"}}}, "not a bcrypt hash"},
		{"missing TLS files", config.Server{TLSCertFile: "/nonexistent/cert.pem", TLSKeyFile: "/nonexistent/key.pem"}, "TLS key pair"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := Deps{Config: tt.cfg}
			e := newEnv(t, config.Server{}, nil) // for the required dependencies
			d.Alerts, d.Detections, d.Catalog, d.Audit = e.srv.deps.Alerts, e.srv.deps.Detections, e.srv.deps.Catalog, e.srv.deps.Audit
			_, err := New(d)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("New(%+v) = %v, want nil", tt.cfg, err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("New(%+v) = %v, want an error containing %q", tt.cfg, err, tt.wantErr)
			}
		})
	}
	if _, err := New(Deps{}); err == nil {
		t.Error("New(Deps{}) = nil, want an error for the missing dependencies")
	}
}

func TestBearerTokens(t *testing.T) {
	e := newEnv(t, authConfig(t), nil)
	id := e.ingest("rule-stop", "ana", "", 1)[0].ID
	tests := []struct {
		name   string
		r      req
		status int
	}{
		{"healthz is open", req{method: "GET", path: "/healthz"}, http.StatusOK},
		{"readyz is open", req{method: "GET", path: "/readyz"}, http.StatusOK},
		{"no token", req{method: "GET", path: "/api/v1/alerts"}, http.StatusUnauthorized},
		{"wrong token", req{method: "GET", path: "/api/v1/alerts", header: map[string]string{"Authorization": "Bearer nope"}}, http.StatusUnauthorized},
		{"hash as token", req{method: "GET", path: "/api/v1/alerts", header: map[string]string{"Authorization": "Bearer " + HashToken(ciToken)}}, http.StatusUnauthorized},
		{"basic scheme", req{method: "GET", path: "/api/v1/alerts", header: map[string]string{"Authorization": "Basic " + ciToken}}, http.StatusUnauthorized},
		{"right token", req{method: "GET", path: "/api/v1/alerts", header: map[string]string{"Authorization": "Bearer " + ciToken}}, http.StatusOK},
		{"lower-case scheme", req{method: "GET", path: "/api/v1/alerts", header: map[string]string{"Authorization": "bearer " + ciToken}}, http.StatusOK},
		{"metrics need auth", req{method: "GET", path: "/metrics"}, http.StatusUnauthorized},
		{"metrics with token", req{method: "GET", path: "/metrics", header: map[string]string{"Authorization": "Bearer " + ciToken}}, http.StatusOK},
		{"reload needs auth", req{method: "POST", path: "/-/reload"}, http.StatusUnauthorized},
		{"unknown API path needs auth", req{method: "GET", path: "/api/v1/nothing"}, http.StatusUnauthorized},
		{"ack without CSRF token (bearer)", req{method: "POST", path: "/api/v1/alerts/" + id + "/ack", header: map[string]string{"Authorization": "Bearer other-token"}}, http.StatusOK},
		{"any Host with auth", req{method: "GET", path: "/api/v1/alerts", header: map[string]string{"Authorization": "Bearer " + ciToken, "Host": "picket.example.com"}}, http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := e.do(tt.r)
			if w.Code != tt.status {
				t.Errorf("%s %s = %d %s, want %d", tt.r.method, tt.r.path, w.Code, w.Body, tt.status)
			}
			if w.Code == http.StatusUnauthorized && w.Header().Get("WWW-Authenticate") == "" {
				t.Error("401 without WWW-Authenticate")
			}
		})
	}
	if diff := cmp.Diff([]string{"other alert.ack " + id}, e.auditActions()); diff != "" {
		t.Errorf("audit mismatch (-want +got):\n%s", diff)
	}
}

// login signs in and returns the session cookie.
func login(t *testing.T, e *env, user, pw string) *http.Cookie {
	t.Helper()
	form := url.Values{"user": {user}, "password": {pw}, "next": {"/alerts?status=open"}}
	w := e.do(req{method: "POST", path: "/login", body: form.Encode(), header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}})
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/alerts?status=open" {
		t.Fatalf("POST /login = %d Location %q, want 303 to next", w.Code, w.Header().Get("Location"))
	}
	for _, c := range w.Result().Cookies() {
		if c.Name == sessionCookie {
			return c
		}
	}
	t.Fatal("no session cookie")
	return nil
}

func TestLoginSession(t *testing.T) {
	var seen struct{ user, csrf string }
	console := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen.user, seen.csrf = User(r), CSRFToken(r)
		fmt.Fprint(w, "console")
	})
	e := newEnv(t, authConfig(t), func(d *Deps) { d.Console = console })
	id := e.ingest("rule-stop", "ana", "", 1)[0].ID

	// Not signed in: the console redirects to the login page, which renders.
	w := e.do(req{method: "GET", path: "/alerts?status=open"})
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/login?next=%2Falerts%3Fstatus%3Dopen" {
		t.Errorf("GET console page signed out = %d %q, want 303 to /login", w.Code, w.Header().Get("Location"))
	}
	if w := e.do(req{method: "GET", path: "/login?next=/x"}); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `name="password"`) {
		t.Errorf("GET /login = %d", w.Code)
	}

	c := login(t, e, "ana", password)
	if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Secure || c.MaxAge != 3600 || c.Path != "/" {
		t.Errorf("session cookie = %+v, want HttpOnly, SameSite=Lax, not Secure without TLS, MaxAge 3600", c)
	}
	w = e.do(req{method: "GET", path: "/alerts", cookies: []*http.Cookie{c}})
	if w.Code != http.StatusOK || seen.user != "ana" || seen.csrf == "" {
		t.Fatalf("console with session = %d, User %q, CSRFToken %q", w.Code, seen.user, seen.csrf)
	}
	csrf := seen.csrf

	ack := "/api/v1/alerts/" + id + "/ack"
	tests := []struct {
		name   string
		r      req
		status int
	}{
		{"GET with cookie", req{method: "GET", path: "/api/v1/alerts", cookies: []*http.Cookie{c}}, http.StatusOK},
		{"POST without CSRF", req{method: "POST", path: ack, cookies: []*http.Cookie{c}}, http.StatusForbidden},
		{"POST with a wrong CSRF", req{method: "POST", path: ack, cookies: []*http.Cookie{c}, header: map[string]string{CSRFHeader: "nope"}}, http.StatusForbidden},
		{"form POST with a wrong field", req{method: "POST", path: "/alerts/ack", body: "user=x&" + CSRFField + "=nope", cookies: []*http.Cookie{c},
			header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}}, http.StatusForbidden},
		{"form POST with the field", req{method: "POST", path: "/alerts/ack", body: "user=x&" + CSRFField + "=" + csrf, cookies: []*http.Cookie{c},
			header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}}, http.StatusOK},
		{"POST with the header", req{method: "POST", path: ack, cookies: []*http.Cookie{c}, header: map[string]string{CSRFHeader: csrf}}, http.StatusOK},
		{"forged cookie", req{method: "GET", path: "/api/v1/alerts", cookies: []*http.Cookie{{Name: sessionCookie, Value: "forged"}}}, http.StatusUnauthorized},
		{"cross-site POST", req{method: "POST", path: ack, cookies: []*http.Cookie{c}, header: map[string]string{CSRFHeader: csrf, "Sec-Fetch-Site": "cross-site"}}, http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if w := e.do(tt.r); w.Code != tt.status {
				t.Errorf("%s %s = %d %s, want %d", tt.r.method, tt.r.path, w.Code, w.Body, tt.status)
			}
		})
	}
	want := []string{"ana login ", "ana alert.ack " + id}
	if diff := cmp.Diff(want, e.auditActions()); diff != "" {
		t.Errorf("audit mismatch (-want +got):\n%s", diff)
	}

	// Logout needs the CSRF token, then ends the session.
	if w := e.do(req{method: "POST", path: "/logout", cookies: []*http.Cookie{c}}); w.Code != http.StatusForbidden {
		t.Errorf("logout without CSRF = %d, want 403", w.Code)
	}
	if w := e.do(req{method: "POST", path: "/logout", cookies: []*http.Cookie{c}, header: map[string]string{CSRFHeader: csrf}}); w.Code != http.StatusSeeOther {
		t.Errorf("logout = %d, want 303", w.Code)
	}
	if w := e.do(req{method: "GET", path: "/api/v1/alerts", cookies: []*http.Cookie{c}}); w.Code != http.StatusUnauthorized {
		t.Errorf("after logout = %d, want 401", w.Code)
	}
}

func TestSessionExpires(t *testing.T) {
	e := newEnv(t, authConfig(t), nil)
	c := login(t, e, "ana", password)
	e.clock.Advance(59 * time.Minute)
	if w := e.do(req{method: "GET", path: "/api/v1/alerts", cookies: []*http.Cookie{c}}); w.Code != http.StatusOK {
		t.Errorf("before expiry = %d, want 200", w.Code)
	}
	e.clock.Advance(time.Minute)
	if w := e.do(req{method: "GET", path: "/api/v1/alerts", cookies: []*http.Cookie{c}}); w.Code != http.StatusUnauthorized {
		t.Errorf("after session_ttl = %d, want 401", w.Code)
	}
}

func TestLoginFailuresAndRateLimit(t *testing.T) {
	e := newEnv(t, authConfig(t), nil)
	post := func(user, pw, remote string) *http.Response {
		form := url.Values{"user": {user}, "password": {pw}}
		r := req{method: "POST", path: "/login", body: form.Encode(), header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}}
		hr := httptestRequest(r)
		hr.RemoteAddr = remote
		w := serve(e, hr)
		return w
	}
	for i, tt := range []struct {
		user, pw, remote string
		status           int
	}{
		{"ana", "wrong", "192.0.2.1:1", http.StatusUnauthorized},
		{"nobody", password, "192.0.2.1:2", http.StatusUnauthorized},
		{"ana", "wrong", "192.0.2.1:3", http.StatusUnauthorized},
		{"ana", "wrong", "192.0.2.1:4", http.StatusUnauthorized},
		{"ana", "wrong", "192.0.2.1:5", http.StatusUnauthorized},
		{"ana", password, "192.0.2.1:6", http.StatusTooManyRequests}, // sixth attempt: limited, even with the right password
		{"ana", password, "192.0.2.2:1", http.StatusSeeOther},        // another address is not
	} {
		resp := post(tt.user, tt.pw, tt.remote)
		if resp.StatusCode != tt.status {
			t.Errorf("attempt %d (%s from %s) = %d, want %d", i+1, tt.user, tt.remote, resp.StatusCode, tt.status)
		}
		if resp.StatusCode == http.StatusTooManyRequests && resp.Header.Get("Retry-After") == "" {
			t.Error("429 without Retry-After")
		}
	}
	e.clock.Advance(loginRefill)
	if resp := post("ana", password, "192.0.2.1:7"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("after the refill = %d, want 303", resp.StatusCode)
	}
	got := e.auditActions()
	if len(got) != 7 || got[1] != "nobody login.failed " || got[5] != "ana login " {
		t.Errorf("audit = %q, want 5 failures then 2 logins", got)
	}
}

func TestOpenLoopback(t *testing.T) {
	var user string
	e := newEnv(t, config.Server{}, func(d *Deps) {
		d.Console = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { user = User(r) })
	})
	if w := e.do(req{method: "GET", path: "/alerts"}); w.Code != http.StatusOK || user != LocalActor {
		t.Errorf("console on an open server = %d, user %q; want 200, %q", w.Code, user, LocalActor)
	}
	tests := []struct {
		host   string
		status int
	}{
		{"127.0.0.1:8089", http.StatusOK},
		{"localhost:8089", http.StatusOK},
		{"[::1]:8089", http.StatusOK},
		{"picket.localhost", http.StatusOK},
		{"evil.example.com:8089", http.StatusMisdirectedRequest}, // DNS rebinding
		{"127.0.0.1.evil.example.com", http.StatusMisdirectedRequest},
	}
	for _, tt := range tests {
		if w := e.do(req{method: "GET", path: "/api/v1/alerts", header: map[string]string{"Host": tt.host}}); w.Code != tt.status {
			t.Errorf("Host %s = %d, want %d", tt.host, w.Code, tt.status)
		}
	}
	// Cross-origin browser POSTs are refused even when open.
	w := e.do(req{method: "POST", path: "/-/reload", header: map[string]string{"Origin": "https://evil.example.com"}})
	if w.Code != http.StatusForbidden || e.reloaded != 0 {
		t.Errorf("cross-origin POST = %d (reloaded %d), want 403", w.Code, e.reloaded)
	}
}

func TestSafeNext(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"/alerts?x=1", "/alerts?x=1"}, {"", ""}, {"//evil.com", ""}, {"https://evil.com", ""}, {"/\\evil.com", ""}, {"/a\r\nSet-Cookie: x", ""},
	} {
		if got := safeNext(tt.in); got != tt.want {
			t.Errorf("safeNext(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestHashes(t *testing.T) {
	if got := HashToken("abc"); got != "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" {
		t.Errorf("HashToken(abc) = %s", got)
	}
	if a, b := NewToken(), NewToken(); a == b || len(a) < 26 {
		t.Errorf("NewToken() = %q, %q; want distinct long tokens", a, b)
	}
	h, err := HashPassword("pw")
	if err != nil {
		t.Fatal(err)
	}
	a, err := newAuth(config.Server{Users: []config.User{{Name: "u", PasswordHash: h}}})
	if err != nil || !a.checkPassword("u", "pw") || a.checkPassword("u", "PW") {
		t.Errorf("HashPassword hash does not verify: %v", err)
	}
	for _, bad := range []string{"", strings.Repeat("x", 73)} {
		if _, err := HashPassword(bad); err == nil {
			t.Errorf("HashPassword(%d bytes) = nil error", len(bad))
		}
	}
}

func TestServeGracefulShutdown(t *testing.T) {
	e := newEnv(t, config.Server{}, nil)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- e.srv.Serve(ctx, ln) }()
	resp, err := http.Get("http://" + ln.Addr().String() + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("GET /healthz over TCP = %d %v", resp.StatusCode, resp.Header)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Serve() after cancel = %v, want nil", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return after cancel")
	}
}
