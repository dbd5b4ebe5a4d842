package server

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"picket/internal/alert"
	"picket/internal/audit"
	"picket/internal/catalog"
	"picket/internal/config"
	"picket/internal/notify"
	"picket/internal/source"
)

// Alerts is the alert lifecycle the API drives; *alert.Manager implements it. Handlers call it
// concurrently. Errors wrapping alert.ErrNotFound, alert.ErrInvalidTransition and
// alert.ErrInvalid become 404, 409 and 400.
type Alerts interface {
	List(ctx context.Context, q alert.Query) ([]*alert.Alert, error)
	Get(ctx context.Context, id string) (*alert.Alert, error)
	Acknowledge(ctx context.Context, id, actor, comment string) (*alert.Alert, error)
	Resolve(ctx context.Context, id, actor, comment string) (*alert.Alert, error)
	Reopen(ctx context.Context, id, actor, comment string) (*alert.Alert, error)
	AddSilence(ctx context.Context, s alert.Silence) (alert.Silence, error)
	ExpireSilence(ctx context.Context, id, actor string) error
	PreviewSilence(ctx context.Context, s alert.Silence, since time.Time) ([]*alert.Alert, error)
	Silences(ctx context.Context, activeOnly bool) ([]alert.Silence, error)
}

// Commenter is the optional capability of an Alerts implementation to record a comment in an
// alert's history. Without it, comments are kept in the audit log only (action
// "alert.comment", target the alert id) and shown with the alert.
type Commenter interface {
	Comment(ctx context.Context, id, actor, comment string) (*alert.Alert, error)
}

// Outbox is the part of the notification outbox the API uses; notify.Outbox implements it.
// Errors wrapping notify.ErrEntryNotFound and notify.ErrNotDead become 404 and 409.
type Outbox interface {
	List(ctx context.Context, q notify.OutboxQuery) ([]notify.Entry, error)
	Stats(ctx context.Context) ([]notify.ReceiverStats, error)
	Retry(ctx context.Context, id string, now time.Time) error
}

// Deps is what the server serves. Config, Alerts, Detections, Catalog and Audit are required;
// a nil optional dependency makes its endpoints answer 501 Not Implemented (Console: nothing
// is mounted at /).
type Deps struct {
	Config     config.Server
	Logger     *slog.Logger     // nil discards
	Clock      func() time.Time // nil means time.Now
	Alerts     Alerts           // alert lifecycle and silences
	Detections alert.DetectionLister
	Outbox     Outbox
	Catalog    catalog.Catalog
	// Sources returns the status of every source (source.Tracker.Statuses).
	Sources func() []source.Status
	// Receivers returns the configured receiver names; TestReceiver sends a test notification
	// to one of them.
	Receivers    func() []string
	TestReceiver func(ctx context.Context, receiver string) error
	// Explain tells why a rule does or does not match an event (JSON).
	Explain func(ctx context.Context, ruleID string, event []byte) (any, error)
	Audit   audit.Log
	// Metrics serves /metrics (promhttp.HandlerFor the daemon's registry).
	Metrics http.Handler
	// Ready reports whether the daemon can serve (/readyz, /api/v1/health): nil when ready.
	Ready func(ctx context.Context) error
	// Reload reloads the configuration (POST /-/reload).
	Reload func(ctx context.Context) error
	// Console is the web console, mounted at / behind the same authentication.
	Console http.Handler
}

// Server is the HTTP server. It is safe for concurrent use.
type Server struct {
	deps    Deps
	logger  *slog.Logger
	clock   func() time.Time
	auth    *auth
	routes  []route
	handler http.Handler
	tls     bool
}

// Timeouts of the http.Server.
const (
	readHeaderTimeout = 10 * time.Second
	readTimeout       = time.Minute
	writeTimeout      = 2 * time.Minute
	idleTimeout       = 2 * time.Minute
	shutdownTimeout   = 15 * time.Second
	maxHeaderBytes    = 64 << 10
)

// New checks the configuration and builds the server. It fails when the listen address is
// not a loopback one and neither tokens nor users are configured, for a malformed token hash
// or password hash, and when the TLS key pair cannot be loaded.
func New(d Deps) (*Server, error) {
	var errs []error
	if d.Alerts == nil || d.Detections == nil || d.Catalog == nil || d.Audit == nil {
		errs = append(errs, errors.New("server: Alerts, Detections, Catalog and Audit are required"))
	}
	a, err := validate(d.Config)
	if err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	hasTLS := d.Config.TLSCertFile != "" || d.Config.TLSKeyFile != ""
	s := &Server{deps: d, logger: d.Logger, clock: d.Clock, auth: a, tls: hasTLS}
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	}
	if s.clock == nil {
		s.clock = time.Now
	}
	a.clock = s.clock
	s.routes = s.routeTable()
	s.handler = s.buildHandler()
	return s, nil
}

// Validate checks the server configuration as New does (token and password hashes,
// authentication on a non-loopback address, the TLS key pair), for `picket config validate`.
func Validate(c config.Server) error {
	_, err := validate(c)
	return err
}

func validate(c config.Server) (*auth, error) {
	var errs []error
	a, err := newAuth(c)
	if err != nil {
		errs = append(errs, err)
	}
	listen := c.ListenAddr()
	if a != nil && !a.required() && !isLoopbackAddr(listen) {
		errs = append(errs, fmt.Errorf("server: listening on %s (not a loopback address) requires authentication: "+
			"configure at least one of server.tokens or server.users (`picket server hash-token`, `picket server hash-password`)", listen))
	}
	if c.TLSCertFile != "" || c.TLSKeyFile != "" {
		if _, err := tls.LoadX509KeyPair(c.TLSCertFile, c.TLSKeyFile); err != nil {
			errs = append(errs, fmt.Errorf("server: loading the TLS key pair: %w", err))
		}
	}
	return a, errors.Join(errs...)
}

// Handler returns the server's handler (for tests, or to serve it elsewhere).
func (s *Server) Handler() http.Handler { return s.handler }

// ListenAndServe listens on the configured address and serves until ctx is done.
func (s *Server) ListenAndServe(ctx context.Context) error {
	addr := s.deps.Config.ListenAddr()
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("server: listening on %s: %w", addr, err)
	}
	return s.Serve(ctx, ln)
}

// Serve serves on ln (TLS when a certificate is configured) until ctx is done, then shuts
// down gracefully: it stops accepting, lets requests in flight finish for up to 15 seconds,
// and returns nil. It closes ln. It refuses a non-loopback listener when no authentication is
// configured.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	if !s.auth.required() {
		if tcp, ok := ln.Addr().(*net.TCPAddr); ok && !tcp.IP.IsLoopback() {
			ln.Close()
			return fmt.Errorf("server: refusing to serve on %s without authentication", ln.Addr())
		}
	}
	srv := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(s.logger.Handler(), slog.LevelDebug),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
		TLSConfig:         &tls.Config{MinVersion: tls.VersionTLS12},
	}
	errc := make(chan error, 1)
	go func() {
		if s.tls {
			errc <- srv.ServeTLS(ln, s.deps.Config.TLSCertFile, s.deps.Config.TLSKeyFile)
			return
		}
		errc <- srv.Serve(ln)
	}()
	s.logger.Info("server listening", "addr", ln.Addr().String(), "tls", s.tls, "auth", s.auth.required())
	select {
	case err := <-errc:
		return fmt.Errorf("server: serving on %s: %w", ln.Addr(), err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	err := srv.Shutdown(sctx)
	<-errc
	if err != nil {
		srv.Close()
		return fmt.Errorf("server: shutting down: %w", err)
	}
	return nil
}

// isLoopbackAddr reports whether a listen address (host:port) only accepts local clients.
func isLoopbackAddr(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
