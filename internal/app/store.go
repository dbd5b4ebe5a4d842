// Package app is picket's composition root: it builds the components a command needs from the
// configuration and wires them together. Only the cli package imports it.
package app

import (
	"context"
	"log/slog"

	"picket/internal/config"
	"picket/internal/store"
	"picket/internal/store/postgres"
	"picket/internal/store/sqlite"
)

// OpenStore opens (and migrates) the configured store: PostgreSQL when a URL is set, else the
// SQLite file (config.DefaultDatabase in the working directory when none is named).
func OpenStore(ctx context.Context, s config.Storage, logger *slog.Logger) (store.Store, error) {
	if s.URL != "" {
		st, err := postgres.Open(ctx, postgres.Options{URL: s.URL}, logger)
		if err != nil {
			return nil, err // names the server, never the password
		}
		return st, nil
	}
	path := s.Path
	if path == "" {
		path = config.DefaultDatabase
	}
	st, err := sqlite.Open(ctx, sqlite.Options{Path: path}, logger)
	if err != nil {
		return nil, err // names the file
	}
	return st, nil
}
