// Package email delivers notifications by SMTP: one multipart/alternative message (plain text
// and HTML) per notification, a digest of its alerts, over STARTTLS or implicit TLS with SMTP
// authentication. The Message-ID is derived from the notification id, so a re-sent message is
// recognisable as the same one.
package email

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	_ "embed"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/mail"
	"net/textproto"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
	gosmtp "github.com/wneessen/go-mail/smtp"

	"picket/internal/config"
	"picket/internal/notify"
)

//go:embed sample.yaml
var sample []byte

// Sample returns the commented sample configuration of an email receiver.
func Sample() []byte { return append([]byte(nil), sample...) }

// HeaderNotificationID carries the notification id (the idempotency key) in every message.
const HeaderNotificationID = "X-Picket-Notification-Id"

// Notifier sends notifications to one email receiver. It is safe for concurrent use.
type Notifier struct {
	name     string
	cfg      Config
	password config.Secret
	tmpl     *templates
	now      func() time.Time
}

var _ notify.Notifier = (*Notifier)(nil)

// New returns the notifier of receiver name. It validates c and reads smtp.password_file; it
// does not contact the server.
func New(name string, c Config, deps notify.Deps) (*Notifier, error) {
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("email receiver %q: %w", name, err)
	}
	var password config.Secret
	if c.SMTP.Username != "" {
		p, err := config.ResolveSecret("smtp.password", c.SMTP.Password, c.SMTP.PasswordFile, true)
		if err != nil {
			return nil, fmt.Errorf("email receiver %q: %w", name, err)
		}
		password = p
	}
	tmpl, err := parseTemplates(c)
	if err != nil {
		return nil, fmt.Errorf("email receiver %q: %w", name, err)
	}
	now := deps.Clock
	if now == nil {
		now = time.Now
	}
	return &Notifier{name: name, cfg: c, password: password, tmpl: tmpl, now: now}, nil
}

// Notify sends n as one email to the configured recipients. It returns retry=true for
// failures that may pass later: connection errors, timeouts and 4xx SMTP replies.
func (e *Notifier) Notify(ctx context.Context, n *notify.Notification) (bool, error) {
	msg, err := e.message(n)
	if err != nil {
		return false, fmt.Errorf("email receiver %q: notification %s: %w", e.name, n.ID, err)
	}
	client, err := e.client()
	if err != nil {
		return false, fmt.Errorf("email receiver %q: %w", e.name, err)
	}
	if err := client.DialAndSendWithContext(ctx, msg); err != nil {
		retry := retryable(err)
		return retry, e.redact(fmt.Errorf("email receiver %q: sending notification %s to %s: %w",
			e.name, n.ID, e.addr(), err))
	}
	return false, nil
}

func (e *Notifier) addr() string {
	return net.JoinHostPort(e.cfg.SMTP.Host, fmt.Sprint(e.cfg.SMTP.port()))
}

// client builds a go-mail client for one delivery (clients hold connection state).
func (e *Notifier) client() (*gomail.Client, error) {
	s := e.cfg.SMTP
	opts := []gomail.Option{
		gomail.WithPort(s.port()),
		gomail.WithTLSConfig(&tls.Config{
			ServerName:         s.Host,
			MinVersion:         tls.VersionTLS12,
			InsecureSkipVerify: s.InsecureSkipVerify, //nolint:gosec // opt-in, documented as testing only
		}),
	}
	if s.Timeout > 0 {
		opts = append(opts, gomail.WithTimeout(s.Timeout))
	}
	switch s.TLS {
	case TLSImplicit:
		opts = append(opts, gomail.WithSSL())
	case TLSNone:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	if s.Username != "" {
		mech := gomail.SMTPAuthPlain
		if s.Auth == AuthLogin {
			mech = gomail.SMTPAuthLogin
		}
		// The plain-text variants are never used: go-mail refuses to send credentials over a
		// clear connection except to localhost, which is exactly what tls: none allows.
		opts = append(opts, gomail.WithSMTPAuth(mech),
			gomail.WithUsername(s.Username), gomail.WithPassword(e.password.Reveal()))
	}
	return gomail.NewClient(s.Host, opts...)
}

// message renders n into a mail message.
func (e *Notifier) message(n *notify.Notification) (*gomail.Msg, error) {
	r, err := e.tmpl.render(newData(n, e.cfg.Digest.MaxAlerts))
	if err != nil {
		return nil, err
	}
	m := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	if err := m.From(e.cfg.From); err != nil {
		return nil, fmt.Errorf("from: %w", err)
	}
	if err := m.To(e.cfg.To...); err != nil {
		return nil, fmt.Errorf("to: %w", err)
	}
	if len(e.cfg.CC) > 0 {
		if err := m.Cc(e.cfg.CC...); err != nil {
			return nil, fmt.Errorf("cc: %w", err)
		}
	}
	m.Subject(r.Subject)
	m.SetMessageIDWithValue(messageID(n.ID, e.cfg.From))
	m.SetGenHeader(HeaderNotificationID, n.ID)
	date := n.CreatedAt
	if date.IsZero() {
		date = e.now()
	}
	m.SetDateWithValue(date)
	m.SetUserAgent("picket")
	m.SetBodyString(gomail.TypeTextPlain, r.Text)
	m.AddAlternativeString(gomail.TypeTextHTML, r.HTML)
	return m, nil
}

// messageID derives the Message-ID (without angle brackets) from the notification id and the
// sender's domain: every attempt to send a notification carries the same one.
func messageID(id, from string) string {
	domain := "picket.invalid"
	if a, err := mail.ParseAddress(from); err == nil {
		if i := strings.LastIndexByte(a.Address, '@'); i >= 0 && i < len(a.Address)-1 {
			domain = a.Address[i+1:]
		}
	}
	local := id
	if local == "" || strings.IndexFunc(local, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.')
	}) >= 0 || len(local) > 100 {
		sum := sha256.Sum256([]byte(id))
		local = hex.EncodeToString(sum[:16])
	}
	return "picket." + local + "@" + domain
}

// retryable classifies a delivery error: SMTP 4xx replies and network failures are
// transient; 5xx replies (rejected mailbox, failed authentication), TLS verification failures
// and capability mismatches are not.
func retryable(err error) bool {
	var se *gomail.SendError
	if errors.As(err, &se) {
		if code := se.ErrorCode(); code >= 400 {
			return code < 500
		}
		return se.IsTemp() || !isProtocolReply(err)
	}
	var te *textproto.Error
	if errors.As(err, &te) {
		return te.Code < 500
	}
	var (
		certErr     *tls.CertificateVerificationError
		unknownAuth x509.UnknownAuthorityError
		hostErr     x509.HostnameError
		invalidCert x509.CertificateInvalidError
	)
	switch {
	case errors.As(err, &certErr), errors.As(err, &unknownAuth), errors.As(err, &hostErr), errors.As(err, &invalidCert):
		return false
	case errors.Is(err, gosmtp.ErrUnencrypted), errors.Is(err, gosmtp.ErrWrongHostname),
		errors.Is(err, gomail.ErrPlainAuthNotSupported), errors.Is(err, gomail.ErrLoginAuthNotSupported):
		return false
	case strings.Contains(err.Error(), "does not support"):
		// go-mail reports a server without STARTTLS or AUTH with unexported, unwrapped errors.
		return false
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return true
	}
	var netErr net.Error
	if errors.As(err, &netErr) {
		return true
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) {
		return true
	}
	// Unknown failures (a dropped connection mid-transaction, …) are worth another attempt.
	return true
}

// isProtocolReply reports whether err carries an SMTP reply code.
func isProtocolReply(err error) bool {
	var te *textproto.Error
	return errors.As(err, &te)
}

// redact removes the password, in clear and as the AUTH PLAIN/LOGIN encodings, from err's
// text. The result keeps no reference to err, so nothing can unwrap to the secret.
func (e *Notifier) redact(err error) error {
	p := e.password.Reveal()
	if p == "" {
		return err
	}
	msg := err.Error()
	secrets := []string{
		p,
		base64.StdEncoding.EncodeToString([]byte(p)),
		base64.StdEncoding.EncodeToString([]byte("\x00" + e.cfg.SMTP.Username + "\x00" + p)),
	}
	changed := false
	for _, s := range secrets {
		if strings.Contains(msg, s) {
			msg = strings.ReplaceAll(msg, s, "<redacted>")
			changed = true
		}
	}
	if !changed {
		return err
	}
	return errors.New(msg)
}
