package file

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// list returns the paths of the regular files named by the configured paths, without the
// excluded ones, each once. A literal path that does not exist is not an error: the file may
// appear later.
func (s *Source) list() ([]string, error) {
	var out []string
	seen := map[string]bool{}
	add := func(p string) {
		if !seen[p] && !s.excluded(p) {
			seen[p] = true
			out = append(out, p)
		}
	}
	var errs []error
	for _, p := range s.cfg.Paths {
		abs := s.abs(p)
		matches := []string{abs}
		if hasMeta(abs) {
			var err error
			if matches, err = filepath.Glob(abs); err != nil {
				errs = append(errs, fmt.Errorf("expanding %q: %w", p, err))
				continue
			}
		}
		before := len(seen)
		for _, m := range matches {
			if err := walk(m, add); err != nil {
				errs = append(errs, err)
			}
		}
		// Say once that a path matches nothing (a typo, or a directory not created yet): the
		// source keeps looking at every poll.
		if empty := len(seen) == before; empty != s.empty[p] {
			s.empty[p] = empty
			if empty {
				s.log.Warn("path matches no file yet; picket will read files as they appear", "path", abs)
			}
		}
	}
	return out, errors.Join(errs...)
}

// walk calls add for p when it is a regular file (or a link to one), and for every regular
// file below p when it is a directory.
func walk(p string, add func(string)) error {
	fi, err := os.Stat(p)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("listing %s: %w", p, err)
	case fi.Mode().IsRegular():
		add(p)
		return nil
	case !fi.IsDir():
		return nil
	}
	err = filepath.WalkDir(p, func(q string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil // removed while listing
			}
			return err
		}
		if d.Type().IsRegular() {
			add(q)
		} else if d.Type()&fs.ModeSymlink != 0 {
			if fi, err := os.Stat(q); err == nil && fi.Mode().IsRegular() {
				add(q)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("listing %s: %w", p, err)
	}
	return nil
}

func (s *Source) abs(p string) string {
	if filepath.IsAbs(p) || s.dir == "" {
		return filepath.Clean(p)
	}
	return filepath.Join(s.dir, p)
}

// excluded reports whether p matches an exclude pattern: by base name for a pattern without
// a separator, by full path otherwise.
func (s *Source) excluded(p string) bool {
	for _, pat := range s.cfg.Exclude {
		target := p
		if !strings.ContainsRune(pat, filepath.Separator) && !strings.ContainsRune(pat, '/') {
			target = filepath.Base(p)
		} else {
			pat = s.abs(pat)
		}
		if ok, _ := filepath.Match(pat, target); ok {
			return true
		}
	}
	return false
}

func hasMeta(p string) bool { return strings.ContainsAny(p, `*?[\`) }
