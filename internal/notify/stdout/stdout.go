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
	"sync"

	"picket/internal/notify"
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
	mu   sync.Mutex
	w    io.Writer
}

// New validates c and returns the notifier of receiver name.
func New(name string, c Config, _ notify.Deps, opts ...Option) (*Notifier, error) {
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("stdout receiver %q: %w", name, err)
	}
	n := &Notifier{name: name, w: os.Stdout}
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
	b, err := webhook.Body(n)
	if err != nil {
		return false, err
	}
	b = append(b, '\n')
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.w.Write(b); err != nil {
		return false, fmt.Errorf("writing notification: %w", err)
	}
	return false, nil
}
