package postgres

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// unlockTimeout bounds the release of a lock, which has no context of its own.
const unlockTimeout = 5 * time.Second

// heldLock is a granted advisory lock and the connection (session) that holds it.
type heldLock struct {
	conn *pgxpool.Conn
	key  int64
	name string
}

// TryLock takes the session advisory lock for name (scoped by schema) on a connection set
// aside until unlock. If that connection is lost, the server releases the lock with it: the
// holder is not told, so jobs should keep their critical sections short and idempotent.
func (s *Store) TryLock(ctx context.Context, name string) (func(), bool, error) {
	key := lockKey("lock", s.schema, name)
	var conn *pgxpool.Conn
	var ok bool
	err := s.do(ctx, fmt.Sprintf("taking lock %q", name), true, func(ctx context.Context) error {
		c, err := s.pool.Acquire(ctx)
		if err != nil {
			return err
		}
		if err := c.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, key).Scan(&ok); err != nil {
			c.Release()
			return err
		}
		conn = c
		return nil
	})
	if err != nil {
		return nil, false, err
	}
	if !ok {
		conn.Release()
		return nil, false, nil
	}
	h := &heldLock{conn: conn, key: key, name: name}
	var once sync.Once
	unlock := func() {
		once.Do(func() {
			s.heldMu.Lock()
			delete(s.held, h)
			s.heldMu.Unlock()
			s.unlockConn(h.conn, h.key, h.name)
		})
	}
	s.heldMu.Lock()
	s.held[h] = unlock
	s.heldMu.Unlock()
	return unlock, true, nil
}

// unlockConn releases the advisory lock key held by conn and returns conn to the pool. If the
// release fails the connection is closed instead, which ends the session and its locks.
func (s *Store) unlockConn(conn *pgxpool.Conn, key int64, name string) {
	ctx, cancel := context.WithTimeout(context.Background(), unlockTimeout)
	defer cancel()
	var released bool
	err := conn.QueryRow(ctx, `SELECT pg_advisory_unlock($1)`, key).Scan(&released)
	if err == nil && released {
		conn.Release()
		return
	}
	s.logger.Warn("lock not released cleanly; closing its connection", "lock", name, "released", released, "err", err)
	_ = conn.Hijack().Close(ctx)
}
