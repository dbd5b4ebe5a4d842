package email

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"flag"
	"io"
	"math/big"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
	"github.com/google/go-cmp/cmp"

	"picket/internal/alert"
	"picket/internal/config"
	"picket/internal/notify"
	"picket/internal/rule"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

const testPassword = "s3cr3t-Pa55w0rd"

// testNotification is a realistic notification: two alerts, one with hostile evidence.
func testNotification() *notify.Notification {
	t0 := time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC)
	return &notify.Notification{
		ID:          "n-7f3a9c",
		Receiver:    "secops-mail",
		Status:      notify.StatusFiring,
		GroupKey:    "root/rule_id=aws-root-login",
		GroupLabels: map[string]string{"rule_id": "aws-root-login"},
		CreatedAt:   t0.Add(5 * time.Minute),
		Alerts: []notify.AlertView{
			{
				Alert: alert.Alert{
					ID: "a1", Fingerprint: "fp1", RuleID: "aws-root-login", RuleTitle: "AWS root account console login",
					Level: rule.Critical, Tags: []string{"attack.t1078"}, Kind: "detection", Source: "cloudtrail",
					Account: "123456789012", Group: map[string]string{"userIdentity.arn": "arn:aws:iam::123456789012:root"},
					Status: alert.StatusOpen, FirstSeen: t0, LastSeen: t0.Add(2 * time.Minute), Count: 3,
				},
				Events: []notify.Event{{
					ID: "ev-1", Time: t0, Source: "cloudtrail",
					Data: json.RawMessage(`{"eventName":"ConsoleLogin","eventSource":"signin.amazonaws.com",` +
						`"sourceIPAddress":"203.0.113.9","userAgent":"<script>alert(1)</script>",` +
						`"userIdentity":{"arn":"arn:aws:iam::123456789012:root","type":"Root"},"awsRegion":"us-east-1"}`),
				}},
				EventsOmitted: 2,
				URL:           "https://picket.example.com/alerts/a1",
			},
			{
				Alert: alert.Alert{
					ID: "a2", Fingerprint: "fp2", RuleID: "aws-root-login", RuleTitle: "AWS root account console login",
					Level: rule.High, Status: alert.StatusResolved, FirstSeen: t0, LastSeen: t0, Count: 1,
				},
			},
		},
	}
}

// received is one message the test server accepted.
type received struct {
	From string
	To   []string
	Data []byte
	Auth string // the authenticated username
}

// backend is an in-process SMTP server's behaviour.
type backend struct {
	username, password string          // required credentials, if set
	rcptErr            *smtp.SMTPError // answer to every RCPT, if set
	mu                 sync.Mutex
	msgs               []received
}

func (b *backend) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{b: b}, nil }

func (b *backend) messages() []received {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]received(nil), b.msgs...)
}

type session struct {
	b    *backend
	user string
	from string
	to   []string
}

func (s *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, username, password string) error {
		if username != s.b.username || password != s.b.password {
			// Echo the password: the notifier must still never show it.
			return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8},
				Message: "authentication failed for " + username + " with " + password}
		}
		s.user = username
		return nil
	}), nil
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	if s.b.username != "" && s.user == "" {
		return &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 0}, Message: "authentication required"}
	}
	s.from = from
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if s.b.rcptErr != nil {
		return s.b.rcptErr
	}
	s.to = append(s.to, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.b.mu.Lock()
	defer s.b.mu.Unlock()
	s.b.msgs = append(s.b.msgs, received{From: s.from, To: s.to, Data: data, Auth: s.user})
	return nil
}

func (s *session) Reset()        { s.from, s.to = "", nil }
func (s *session) Logout() error { return nil }

// serverMode says how the test server speaks TLS.
type serverMode int

const (
	plainServer serverMode = iota
	startTLSServer
	implicitTLSServer
)

// startServer runs an SMTP server for b on 127.0.0.1 and returns its port.
func startServer(t *testing.T, b *backend, mode serverMode) int {
	t.Helper()
	srv := smtp.NewServer(b)
	srv.Domain = "localhost"
	srv.ReadTimeout = 10 * time.Second
	srv.WriteTimeout = 10 * time.Second
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	switch mode {
	case plainServer:
		srv.AllowInsecureAuth = true
	case startTLSServer:
		srv.TLSConfig = selfSignedTLS(t)
	case implicitTLSServer:
		ln = tls.NewListener(ln, selfSignedTLS(t))
	}
	go srv.Serve(ln) //nolint:errcheck // ends with Close
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().(*net.TCPAddr).Port
}

// selfSignedTLS returns a server TLS config with a certificate for 127.0.0.1 made now.
func selfSignedTLS(t *testing.T) *tls.Config {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "picket test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		DNSNames:     []string{"localhost"},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
}

func testConfig(port int, tlsMode TLSMode) Config {
	c := DefaultConfig()
	c.SMTP.Host = "127.0.0.1"
	c.SMTP.Port = port
	c.SMTP.TLS = tlsMode
	c.SMTP.Timeout = 5 * time.Second
	c.From = "picket <picket@example.com>"
	c.To = []string{"secops@example.com", "oncall@example.com"}
	c.CC = []string{"audit@example.com"}
	return c
}

func newNotifier(t *testing.T, c Config) *Notifier {
	t.Helper()
	n, err := New("secops-mail", c, notify.Deps{})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return n
}

// parsed is a received message taken apart.
type parsed struct {
	Header     mail.Header
	Subject    string
	Text, HTML string
}

func parseMessage(t *testing.T, data []byte) parsed {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("reading message: %v", err)
	}
	var p parsed
	p.Header = m.Header
	p.Subject, err = new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if err != nil {
		t.Fatal(err)
	}
	mt, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("Content-Type %q (%v), want multipart/alternative", m.Header.Get("Content-Type"), err)
	}
	mr := multipart.NewReader(m.Body, params["boundary"])
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		var r io.Reader = part // multipart decodes quoted-printable itself
		if strings.EqualFold(part.Header.Get("Content-Transfer-Encoding"), "base64") {
			t.Fatalf("unexpected base64 part")
		} else if enc := part.Header.Get("Content-Transfer-Encoding"); strings.EqualFold(enc, "quoted-printable") {
			r = quotedprintable.NewReader(part)
		}
		body, err := io.ReadAll(r)
		if err != nil {
			t.Fatal(err)
		}
		ct, _, _ := mime.ParseMediaType(part.Header.Get("Content-Type"))
		switch ct {
		case "text/plain":
			p.Text = string(body)
		case "text/html":
			p.HTML = string(body)
		default:
			t.Errorf("unexpected part %q", ct)
		}
	}
	return p
}

func TestDeliveryWithAuth(t *testing.T) {
	tests := []struct {
		name string
		mode serverMode
		tls  TLSMode
	}{
		{"clear text to localhost", plainServer, TLSNone},
		{"starttls", startTLSServer, TLSStartTLS},
		{"implicit tls", implicitTLSServer, TLSImplicit},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := &backend{username: "picket", password: testPassword}
			c := testConfig(startServer(t, b, tt.mode), tt.tls)
			c.SMTP.Username, c.SMTP.Password = "picket", testPassword
			c.SMTP.InsecureSkipVerify = tt.tls != TLSNone
			c.Subject = `{{.Receiver}}: {{.Total}} alert(s), {{.Active}} active — {{(index .Alerts 0).Title}}`

			retry, err := newNotifier(t, c).Notify(t.Context(), testNotification())
			if err != nil {
				t.Fatalf("Notify: retry=%v err=%v", retry, err)
			}
			msgs := b.messages()
			if len(msgs) != 1 {
				t.Fatalf("server received %d messages, want 1", len(msgs))
			}
			got := msgs[0]
			want := received{From: "picket@example.com", To: []string{"secops@example.com", "oncall@example.com", "audit@example.com"}, Auth: "picket"}
			if diff := cmp.Diff(want, got, cmp.FilterPath(func(p cmp.Path) bool { return p.Last().String() == ".Data" }, cmp.Ignore())); diff != "" {
				t.Errorf("envelope (-want +got):\n%s", diff)
			}

			p := parseMessage(t, got.Data)
			if want := "secops-mail: 2 alert(s), 1 active — AWS root account console login"; p.Subject != want {
				t.Errorf("Subject = %q, want %q", p.Subject, want)
			}
			headers := map[string]string{
				"Message-Id":               p.Header.Get("Message-Id"),
				"X-Picket-Notification-Id": p.Header.Get("X-Picket-Notification-Id"),
				"Date":                     p.Header.Get("Date"),
				"To":                       p.Header.Get("To"),
				"Cc":                       p.Header.Get("Cc"),
			}
			wantHeaders := map[string]string{
				"Message-Id":               "<picket.n-7f3a9c@example.com>",
				"X-Picket-Notification-Id": "n-7f3a9c",
				"Date":                     "Tue, 04 Mar 2025 10:05:00 +0000",
				"To":                       "<secops@example.com>, <oncall@example.com>",
				"Cc":                       "<audit@example.com>",
			}
			if diff := cmp.Diff(wantHeaders, headers); diff != "" {
				t.Errorf("headers (-want +got):\n%s", diff)
			}
			if !strings.Contains(p.Text, "AWS root account console login [critical]") ||
				!strings.Contains(p.Text, "userAgent = <script>alert(1)</script>") {
				t.Errorf("text part lacks the alert or its evidence:\n%s", p.Text)
			}
			if strings.Contains(p.HTML, "<script>") || !strings.Contains(p.HTML, "&lt;script&gt;alert(1)&lt;/script&gt;") {
				t.Errorf("HTML part does not escape the evidence:\n%s", p.HTML)
			}
			if !strings.Contains(p.HTML, `<a href="https://picket.example.com/alerts/a1">`) {
				t.Errorf("HTML part lacks the console link:\n%s", p.HTML)
			}
		})
	}
}

func TestResendKeepsMessageID(t *testing.T) {
	b := &backend{}
	n := newNotifier(t, testConfig(startServer(t, b, plainServer), TLSNone))
	for range 2 {
		if _, err := n.Notify(t.Context(), testNotification()); err != nil {
			t.Fatal(err)
		}
	}
	msgs := b.messages()
	if len(msgs) != 2 {
		t.Fatalf("got %d messages, want 2", len(msgs))
	}
	id0 := parseMessage(t, msgs[0].Data).Header.Get("Message-Id")
	id1 := parseMessage(t, msgs[1].Data).Header.Get("Message-Id")
	if id0 == "" || id0 != id1 {
		t.Errorf("Message-Id differs between sends: %q, %q", id0, id1)
	}
}

// closedPort returns a loopback port nothing listens on.
func closedPort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	return port
}

// silentPort returns a loopback port that accepts connections and never answers.
func silentPort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var conns []net.Conn
	var mu sync.Mutex
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return ln.Addr().(*net.TCPAddr).Port
}

func TestFailures(t *testing.T) {
	tests := []struct {
		name      string
		port      func(t *testing.T) int
		username  string // client credentials (the server wants picket/testPassword)
		password  string
		tls       TLSMode
		verify    bool // keep certificate verification on
		wantRetry bool
		wantText  string
	}{
		{"451 on rcpt", func(t *testing.T) int {
			return startServer(t, &backend{rcptErr: &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try later"}}, plainServer)
		}, "", "", TLSNone, false, true, "451"},
		{"550 on rcpt", func(t *testing.T) int {
			return startServer(t, &backend{rcptErr: &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such mailbox"}}, plainServer)
		}, "", "", TLSNone, false, false, "550"},
		{"wrong password", func(t *testing.T) int {
			return startServer(t, &backend{username: "picket", password: "other"}, plainServer)
		}, "picket", testPassword, TLSNone, false, false, "535"},
		{"auth required", func(t *testing.T) int {
			return startServer(t, &backend{username: "picket", password: testPassword}, plainServer)
		}, "", "", TLSNone, false, false, "530"},
		{"server down", closedPort, "picket", testPassword, TLSNone, false, true, "connection refused"},
		{"server silent", silentPort, "picket", testPassword, TLSNone, false, true, "dial failed"},
		{"starttls not offered", func(t *testing.T) int {
			return startServer(t, &backend{}, plainServer)
		}, "", "", TLSStartTLS, false, false, "STARTTLS"},
		{"untrusted certificate", func(t *testing.T) int {
			return startServer(t, &backend{}, startTLSServer)
		}, "picket", testPassword, TLSStartTLS, true, false, "certificate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := testConfig(tt.port(t), tt.tls)
			c.SMTP.Username, c.SMTP.Password = tt.username, config.Secret(tt.password)
			c.SMTP.InsecureSkipVerify = !tt.verify
			c.SMTP.Timeout = 500 * time.Millisecond
			ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
			defer cancel()
			retry, err := newNotifier(t, c).Notify(ctx, testNotification())
			if err == nil {
				t.Fatal("Notify succeeded")
			}
			if retry != tt.wantRetry {
				t.Errorf("retry = %v, want %v (err %v)", retry, tt.wantRetry, err)
			}
			if !strings.Contains(err.Error(), tt.wantText) {
				t.Errorf("error %q does not mention %q", err, tt.wantText)
			}
			assertNoSecret(t, err, testPassword)
		})
	}
}

// assertNoSecret fails when err's text shows the secret, in clear or base64-encoded.
func assertNoSecret(t *testing.T, err error, secret string) {
	t.Helper()
	if err == nil {
		return
	}
	text := err.Error() + " " + strings.Join(unwrapAll(err), " ")
	if strings.Contains(text, secret) {
		t.Errorf("error leaks the secret: %q", text)
	}
	for _, enc := range []string{secret, "\x00picket\x00" + secret} {
		if s := b64(enc); strings.Contains(text, s) {
			t.Errorf("error leaks the base64 secret: %q", text)
		}
	}
}

// unwrapAll returns the texts of every error err wraps.
func unwrapAll(err error) []string {
	var out []string
	for _, e := range unwrapOnce(err) {
		out = append(out, e.Error())
		out = append(out, unwrapAll(e)...)
	}
	return out
}

func unwrapOnce(err error) []error {
	switch u := err.(type) {
	case interface{ Unwrap() []error }:
		return u.Unwrap()
	case interface{ Unwrap() error }:
		if e := u.Unwrap(); e != nil {
			return []error{e}
		}
	}
	return nil
}

func TestPasswordFile(t *testing.T) {
	b := &backend{username: "picket", password: testPassword}
	c := testConfig(startServer(t, b, plainServer), TLSNone)
	file := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(file, []byte(testPassword+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c.SMTP.Username, c.SMTP.PasswordFile = "picket", file
	if _, err := newNotifier(t, c).Notify(t.Context(), testNotification()); err != nil {
		t.Fatalf("Notify: %v", err)
	}
	if got := b.messages(); len(got) != 1 || got[0].Auth != "picket" {
		t.Errorf("server got %+v", got)
	}
}

func TestNewRejectsInvalidConfig(t *testing.T) {
	c := testConfig(25, TLSNone)
	c.SMTP.Host = "mail.example.com"
	c.SMTP.Username, c.SMTP.Password = "picket", testPassword
	_, err := New("x", c, notify.Deps{})
	if err == nil || !strings.Contains(err.Error(), "tls: none") {
		t.Fatalf("New: %v, want a tls: none error", err)
	}
	assertNoSecret(t, err, testPassword)
}

func TestRenderedTextGolden(t *testing.T) {
	c := testConfig(25, TLSNone)
	n := newNotifier(t, c)
	r, err := n.tmpl.render(newData(testNotification(), c.Digest.MaxAlerts))
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "text.golden", r.Text)
	if want := "[picket] FIRING:2 AWS root account console login (critical) and 1 more"; r.Subject != want {
		t.Errorf("default subject = %q, want %q", r.Subject, want)
	}
}

func TestDigestCapsAlerts(t *testing.T) {
	c := testConfig(25, TLSNone)
	c.Digest.MaxAlerts = 1
	n := newNotifier(t, c)
	r, err := n.tmpl.render(newData(testNotification(), c.Digest.MaxAlerts))
	if err != nil {
		t.Fatal(err)
	}
	for _, part := range []string{r.Text, r.HTML} {
		if !strings.Contains(part, "1 more alert(s) not shown") {
			t.Errorf("digest does not count the omitted alert:\n%s", part)
		}
	}
}

func TestMessageID(t *testing.T) {
	tests := []struct{ id, from, want string }{
		{"n-1", "picket@example.com", "picket.n-1@example.com"},
		{"n-1", "Picket <alerts@corp.example>", "picket.n-1@corp.example"},
		// Unsafe ids are hashed (sha256, 16 bytes in hex).
		{"a b<c>", "picket@example.com", "picket.ec1407284342029f2f8a4f46875496ae@example.com"},
		{"n-1", "not an address", "picket.n-1@picket.invalid"},
	}
	for _, tt := range tests {
		if got := messageID(tt.id, tt.from); got != tt.want {
			t.Errorf("messageID(%q, %q) = %q, want %q", tt.id, tt.from, got, tt.want)
		}
	}
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s (-want +got):\n%s", name, diff)
	}
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
