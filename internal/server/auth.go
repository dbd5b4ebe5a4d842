package server

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"

	"picket/internal/config"
)

// CSRF token carriers: the hidden form field of console forms and the header for scripts.
const (
	CSRFField  = "csrf_token"
	CSRFHeader = "X-CSRF-Token"
)

// LocalActor is the actor of every request on an open loopback server (no users or tokens).
const LocalActor = "local"

// sessionCookie is the name of the console session cookie.
const sessionCookie = "picket_session"

// DefaultSessionTTL is how long a console login lasts when session_ttl is unset.
const DefaultSessionTTL = 12 * time.Hour

// dummyHash is a bcrypt hash compared for unknown user names, so that a login attempt takes
// as long whether or not the user exists.
const dummyHash = "$2a$10$wMGfe/WMpod.1cDFyuvb9.cqw7zhBpBBJXhzqF1i0mS4GkTmqi3Xi"

// auth holds the credentials and the console sessions.
type auth struct {
	tokens []token
	users  map[string][]byte // name → bcrypt hash
	ttl    time.Duration
	clock  func() time.Time

	mu       sync.Mutex
	sessions map[string]*session // sha256(cookie value) → session

	logins *limiter
}

type token struct {
	name string
	hash []byte // sha256 of the token
}

type session struct {
	user    string
	csrf    string
	expires time.Time
}

// identity is who made a request, stored in its context.
type identity struct {
	actor   string
	session *session // nil unless authenticated by the session cookie
	bearer  bool
}

type identityKey struct{}

func newAuth(c config.Server) (*auth, error) {
	a := &auth{users: map[string][]byte{}, ttl: c.SessionTTL, sessions: map[string]*session{}, clock: time.Now, logins: newLimiter(loginBurst, loginRefill)}
	if a.ttl <= 0 {
		a.ttl = DefaultSessionTTL
	}
	var errs []error
	names := map[string]bool{}
	for i, t := range c.Tokens {
		h, err := hex.DecodeString(strings.TrimSpace(t.SHA256))
		switch {
		case t.Name == "":
			errs = append(errs, fmt.Errorf("server.tokens[%d]: no name", i))
		case names[t.Name]:
			errs = append(errs, fmt.Errorf("server.tokens[%d]: name %q used twice", i, t.Name))
		case err != nil || len(h) != sha256.Size:
			errs = append(errs, fmt.Errorf("server.tokens[%d] (%s): sha256 must be 64 hex digits (`picket server hash-token`)", i, t.Name))
		}
		names[t.Name] = true
		a.tokens = append(a.tokens, token{name: t.Name, hash: h})
	}
	for i, u := range c.Users {
		_, err := bcrypt.Cost([]byte(u.PasswordHash))
		switch {
		case u.Name == "":
			errs = append(errs, fmt.Errorf("server.users[%d]: no name", i))
		case a.users[u.Name] != nil:
			errs = append(errs, fmt.Errorf("server.users[%d]: user %q defined twice", i, u.Name))
		case err != nil:
			errs = append(errs, fmt.Errorf("server.users[%d] (%s): password_hash is not a bcrypt hash (`picket server hash-password`)", i, u.Name))
		}
		a.users[u.Name] = []byte(u.PasswordHash)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return a, nil
}

// required reports whether requests must authenticate.
func (a *auth) required() bool { return len(a.tokens) > 0 || len(a.users) > 0 }

// checkToken returns the name of the token whose hash matches, comparing every configured
// hash in constant time.
func (a *auth) checkToken(presented string) (string, bool) {
	sum := sha256.Sum256([]byte(presented))
	name, found := "", 0
	for _, t := range a.tokens {
		if subtle.ConstantTimeCompare(sum[:], t.hash) == 1 {
			name, found = t.name, 1
		}
	}
	return name, found == 1
}

// checkPassword verifies a user's password with bcrypt, spending the same time for unknown
// users.
func (a *auth) checkPassword(user, password string) bool {
	hash, ok := a.users[user]
	if !ok {
		hash = []byte(dummyHash)
	}
	err := bcrypt.CompareHashAndPassword(hash, []byte(password))
	return ok && err == nil
}

// newSession creates a session for user and returns the cookie value.
func (a *auth) newSession(user string) (string, *session) {
	id, csrf := rand.Text(), rand.Text()
	now := a.clock()
	s := &session{user: user, csrf: csrf, expires: now.Add(a.ttl)}
	a.mu.Lock()
	defer a.mu.Unlock()
	for k, old := range a.sessions {
		if !now.Before(old.expires) {
			delete(a.sessions, k)
		}
	}
	a.sessions[sessionKey(id)] = s
	return id, s
}

// session returns the live session of a cookie value.
func (a *auth) session(id string) (*session, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	k := sessionKey(id)
	s, ok := a.sessions[k]
	if !ok {
		return nil, false
	}
	if !a.clock().Before(s.expires) {
		delete(a.sessions, k)
		return nil, false
	}
	return s, true
}

func (a *auth) endSession(id string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	delete(a.sessions, sessionKey(id))
}

// sessionKey indexes sessions by a hash of the cookie, so that the map lookup reveals nothing
// about valid values through timing.
func sessionKey(id string) string {
	sum := sha256.Sum256([]byte(id))
	return string(sum[:])
}

// authenticate finds who makes r: a bearer token, else the session cookie. ok is false when
// credentials are missing or wrong (a wrong bearer token is never retried as a cookie).
func (a *auth) authenticate(r *http.Request) (identity, bool) {
	if !a.required() {
		return identity{actor: LocalActor}, true
	}
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, tok, _ := strings.Cut(h, " ")
		if !strings.EqualFold(scheme, "Bearer") || tok == "" {
			return identity{}, false
		}
		name, ok := a.checkToken(strings.TrimSpace(tok))
		return identity{actor: name, bearer: true}, ok
	}
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return identity{}, false
	}
	s, ok := a.session(c.Value)
	if !ok {
		return identity{}, false
	}
	return identity{actor: s.user, session: s}, true
}

// csrfOK checks the CSRF token of a state-changing request authenticated by a session.
func csrfOK(r *http.Request, s *session) bool {
	got := r.Header.Get(CSRFHeader)
	if got == "" && isForm(r) {
		got = r.PostFormValue(CSRFField)
	}
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(s.csrf)) == 1
}

func isForm(r *http.Request) bool {
	ct := r.Header.Get("Content-Type")
	return strings.HasPrefix(ct, "application/x-www-form-urlencoded") || strings.HasPrefix(ct, "multipart/form-data")
}

func isSafeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// User returns the authenticated actor of r: the user name of a console session, the name of
// an API token, or LocalActor on an open loopback server; "" outside the server's handlers.
func User(r *http.Request) string {
	id, _ := r.Context().Value(identityKey{}).(identity)
	return id.actor
}

// CSRFToken returns the CSRF token the console must put in the CSRFField field of every form
// it renders for r; "" when r is not authenticated by a session (an open loopback server
// relies on cross-origin protection instead).
func CSRFToken(r *http.Request) string {
	id, _ := r.Context().Value(identityKey{}).(identity)
	if id.session == nil {
		return ""
	}
	return id.session.csrf
}

func withIdentity(ctx context.Context, id identity) context.Context {
	return context.WithValue(ctx, identityKey{}, id)
}

// clientAddr is the client's IP as seen on the connection (proxies' headers are not trusted).
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// loopbackHost reports whether a Host header names this machine.
func loopbackHost(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.ToLower(strings.Trim(host, "[]")), ".")
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
