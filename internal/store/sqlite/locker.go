package sqlite

import (
	"context"
	"fmt"
	"sync"
)

// TryLock takes the lock name. With SQLite picket runs as a single instance, so the lock only
// excludes other holders in this process (of this Store): it is granted unless already held.
func (s *Store) TryLock(ctx context.Context, name string) (func(), bool, error) {
	if err := ctx.Err(); err != nil {
		return nil, false, fmt.Errorf("sqlite %s: taking lock %q: %w", s.path, name, err)
	}
	s.lockMu.Lock()
	defer s.lockMu.Unlock()
	if _, held := s.locks[name]; held {
		return nil, false, nil
	}
	token := new(int) // identifies this holding, so a late unlock never frees a later holder
	s.locks[name] = token
	var once sync.Once
	unlock := func() {
		once.Do(func() {
			s.lockMu.Lock()
			defer s.lockMu.Unlock()
			if s.locks[name] == token {
				delete(s.locks, name)
			}
		})
	}
	return unlock, true, nil
}
