package store

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strconv"
	"time"
)

// Migration is one schema change: the SQL of one embedded file named NNNN_name.sql.
type Migration struct {
	Version int    // NNNN; versions start at 1 and have no gaps
	Name    string // the name part of the file name, recorded in schema_migrations
	SQL     string // one or more statements, applied in one transaction
}

// AppliedMigration is one row of schema_migrations.
type AppliedMigration struct {
	Version   int
	Name      string
	AppliedAt time.Time
}

// migrationFile is the shape of a migration file name.
var migrationFile = regexp.MustCompile(`^([0-9]{4})_([a-z0-9_]+)\.sql$`)

// LoadMigrations reads the migrations in the directory dir of fsys (the backends pass their
// embedded files), ordered by version. Files not ending in .sql are ignored; a .sql file with
// a malformed name, a duplicate version or a gap in the versions is an error.
func LoadMigrations(fsys fs.FS, dir string) ([]Migration, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("reading migrations: %w", err)
	}
	var ms []Migration
	for _, e := range entries {
		if e.IsDir() || path.Ext(e.Name()) != ".sql" {
			continue
		}
		m := migrationFile.FindStringSubmatch(e.Name())
		if m == nil {
			return nil, fmt.Errorf("migration file %q: name is not NNNN_name.sql", e.Name())
		}
		v, _ := strconv.Atoi(m[1]) // four digits always parse
		data, err := fs.ReadFile(fsys, path.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("reading migration %q: %w", e.Name(), err)
		}
		ms = append(ms, Migration{Version: v, Name: m[2], SQL: string(data)})
	}
	slices.SortFunc(ms, func(a, b Migration) int { return a.Version - b.Version })
	for i, m := range ms {
		if m.Version != i+1 {
			return nil, fmt.Errorf("migration %04d_%s: expected version %d (versions start at 1, without gaps or duplicates)", m.Version, m.Name, i+1)
		}
	}
	return ms, nil
}

// Pending returns the migrations of known (ordered, as LoadMigrations returns them) that are
// not in applied, in order. It fails with ErrSchemaTooNew when applied holds a version newer
// than the newest known one, and with a plain error when applied and known disagree (a name
// differs, or a known version below an applied one is missing): the database was migrated by
// another build and must not be touched.
func Pending(known []Migration, applied []AppliedMigration) ([]Migration, error) {
	done := make(map[int]string, len(applied))
	newest := 0
	for _, a := range applied {
		done[a.Version] = a.Name
		newest = max(newest, a.Version)
	}
	if newest > len(known) {
		return nil, fmt.Errorf("database schema is at version %d but this picket knows versions up to %d: upgrade picket: %w",
			newest, len(known), ErrSchemaTooNew)
	}
	var pending []Migration
	var errs []error
	for _, m := range known {
		name, ok := done[m.Version]
		switch {
		case ok && name != m.Name:
			errs = append(errs, fmt.Errorf("schema migration %d is %q in the database but %q in this picket", m.Version, name, m.Name))
		case !ok && m.Version < newest:
			errs = append(errs, fmt.Errorf("schema migration %d (%s) was skipped although version %d is applied", m.Version, m.Name, newest))
		case !ok:
			pending = append(pending, m)
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return pending, nil
}
