// Package stdout is picket's development channel: it writes each notification as one JSON line,
// the webhook package's version 1 body, to a writer (standard output by default). Lines of
// concurrent notifications never interleave.
package stdout

import (
	"context"
	_ "embed"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"picket/internal/notify"
	"picket/internal/notify/httpx"
	"picket/internal/notify/webhook"
)

//go:embed sample.yaml
var sample []byte

// Sample returns the commented sample configuration.
func Sample() []byte { return append([]byte(nil), sample...) }

// Option changes how New builds a Notifier.
type Option func(*Notifier)

// WithWriter makes the notifier write to w instead of the configured stream.
func WithWriter(w io.Writer) Option { return func(n *Notifier) { n.w = w } }

// Notifier writes notifications to a writer. It is safe for concurrent use.
type Notifier struct {
	name string
	text bool
	mu   sync.Mutex
	w    io.Writer
}

// New validates c and returns the notifier of receiver name.
func New(name string, c Config, deps notify.Deps, opts ...Option) (*Notifier, error) {
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("stdout receiver %q: %w", name, err)
	}
	n := &Notifier{name: name, w: os.Stdout, text: c.Format == "text"}
	if deps.Stdout != nil {
		n.w = deps.Stdout
	}
	if c.Stream == "stderr" {
		n.w = os.Stderr
	}
	for _, o := range opts {
		o(n)
	}
	return n, nil
}

// Notify writes n as one JSON line. A failed write is not retried: the stream will not heal.
func (s *Notifier) Notify(ctx context.Context, n *notify.Notification) (retry bool, err error) {
	if err := ctx.Err(); err != nil {
		return true, err
	}
	var b []byte
	if s.text {
		b = Text(n)
	} else {
		if b, err = webhook.Body(n); err != nil {
			return false, err
		}
		b = append(b, '\n')
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.w.Write(b); err != nil {
		return false, fmt.Errorf("writing notification: %w", err)
	}
	return false, nil
}

// Text renders n for a terminal: a digest's summary, then one line per alert with its status,
// level, rule title, detection count, group values and console link. Control characters of
// the alert's fields (attacker-controlled log content) are escaped, so a line stays a line.
func Text(n *notify.Notification) []byte {
	var b strings.Builder
	if n.Summary != "" {
		b.WriteString(n.Summary)
		if !strings.HasSuffix(n.Summary, "\n") {
			b.WriteByte('\n')
		}
	}
	for _, a := range n.Alerts {
		status := strings.ToUpper(string(n.Status))
		fmt.Fprintf(&b, "%s %s [%s] %s · %d detection", a.LastSeen.UTC().Format(time.RFC3339), status, a.Level, clean(a.RuleTitle), a.Count)
		if a.Count != 1 {
			b.WriteByte('s')
		}
		if g := httpx.GroupString(a.Group); g != "" {
			b.WriteString(" · " + clean(g))
		}
		if a.URL != "" {
			b.WriteString(" · " + clean(a.URL))
		}
		b.WriteByte('\n')
	}
	return []byte(b.String())
}

// clean escapes control characters.
func clean(s string) string {
	if strings.IndexFunc(s, unicode.IsControl) < 0 {
		return s
	}
	q := strconv.Quote(s)
	return q[1 : len(q)-1]
}
