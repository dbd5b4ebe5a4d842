// Package schedule runs named tasks periodically: source polls and maintenance jobs.
//
// A task runs every fixed interval or at the times of a cron expression, each run delayed by
// a random jitter. The Scheduler guarantees that:
//
//   - a task never overlaps itself: a run that outlasts its interval delays the next one,
//     which starts as soon as it ends; the ticks missed meanwhile are skipped, logged and
//     counted (outcome "overlap");
//   - a singleton task runs on one instance at a time: before each run it takes the lock
//     "job/<name>" without waiting, and skips the run (outcome "locked") when another holder
//     has it;
//   - after downtime, an every task runs once at start, after its jitter (sources then catch
//     up from their own checkpoints), and a cron task with CatchUp runs once at start when a
//     scheduled time passed since its last run, which the Scheduler keeps under
//     "schedule/<name>" in its Checkpoints (the nominal schedule time of the last run, RFC
//     3339); without CatchUp the missed runs are dropped.
//
// Jitter is drawn anew for each run from Options.Rand, in [0, Spec.Jitter()). RunNow asks for
// an extra run without moving the schedule.
//
// Time comes from an injected clock.Clock, so tests drive it with clock.Fake.
package schedule

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"picket/internal/clock"
)

// Locker grants the named locks of singleton tasks (store.Store implements it). The Scheduler
// calls TryLock before each run of a singleton task, concurrently for different tasks.
type Locker interface {
	// TryLock takes the lock name without waiting. ok is false, and err nil, when another
	// holder has it. On success the caller calls unlock once the run ended. err reports a
	// failure to ask; the run is then skipped.
	TryLock(ctx context.Context, name string) (unlock func(), ok bool, err error)
}

// Checkpoints keeps one opaque value per key (store.Store implements it). The Scheduler reads
// "schedule/<name>" at Start and writes it after each run.
type Checkpoints interface {
	// Checkpoint returns the value stored under key; ok is false, and err nil, when none is.
	Checkpoint(ctx context.Context, key string) (cursor []byte, ok bool, err error)
	// SetCheckpoint stores value under key.
	SetCheckpoint(ctx context.Context, key string, cursor []byte) error
}

// ErrUnknownTask is returned by RunNow for a name no task has.
var ErrUnknownTask = errors.New("unknown task")

// Task is one named periodic task.
type Task struct {
	// Name identifies the task in logs, metrics, status, its lock and its checkpoint.
	Name string
	// Spec says when it runs.
	Spec Spec
	// Run does the work. Its ctx is cancelled when the scheduler stops past its deadline or
	// Start's context is done; Run must then return promptly. A returned error (or a panic)
	// is logged and counted; the task runs again at its next time.
	Run func(ctx context.Context) error
	// Singleton makes the run take the lock "job/<Name>" (Options.Locker) so that of several
	// instances only one runs it at a time.
	Singleton bool
	// CatchUp makes a cron task run once at start when it missed runs during downtime
	// (usually Spec.CatchUp()). Every tasks always run at start.
	CatchUp bool
}

// TaskStatus is what the Scheduler knows of one task.
type TaskStatus struct {
	Name      string    `json:"name"`
	Schedule  string    `json:"schedule"`
	Singleton bool      `json:"singleton"`
	Running   bool      `json:"running"`
	LastStart time.Time `json:"last_start,omitzero"`
	LastEnd   time.Time `json:"last_end,omitzero"`
	// LastError is the last run's error, "" after a success.
	LastError string `json:"last_error,omitempty"`
	// NextRun is when the task runs next; zero once the scheduler stopped.
	NextRun time.Time `json:"next_run,omitzero"`
	// Runs counts runs started; Skipped counts ticks skipped (overlap, lock held or failed).
	Runs    int64 `json:"runs"`
	Skipped int64 `json:"skipped"`
}

// Options are the Scheduler's dependencies.
type Options struct {
	// Logger receives lifecycle and failure logs (nil: discarded).
	Logger *slog.Logger
	// Metrics registers the scheduler's metrics (nil: not registered).
	Metrics prometheus.Registerer
	// Clock tells the time (nil: the system clock).
	Clock clock.Clock
	// Locker locks singleton tasks; required when one is added.
	Locker Locker
	// Checkpoints keeps each task's last run time across restarts (nil: not kept, so cron
	// tasks cannot catch up after a restart).
	Checkpoints Checkpoints
	// Rand returns a random integer in [0, n) for jitter (nil: math/rand/v2.Int64N). Task
	// goroutines call it concurrently.
	Rand func(n int64) int64
}

// Scheduler runs tasks. Add tasks, then Start; Stop ends it. Its methods are safe for
// concurrent use.
type Scheduler struct {
	o   Options
	log *slog.Logger
	m   *metrics

	mu       sync.Mutex
	tasks    []*task
	byName   map[string]*task
	started  bool
	stopping chan struct{} // closed by Stop
	cancel   context.CancelFunc
	wg       sync.WaitGroup
}

type task struct {
	Task
	now chan struct{} // RunNow requests, coalesced
	st  TaskStatus    // guarded by Scheduler.mu
	// lastErr is the last error logged, so that a repeated failure is logged once.
	lastErr string
}

// New returns a Scheduler without tasks.
func New(o Options) *Scheduler {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Clock == nil {
		o.Clock = clock.Real()
	}
	if o.Rand == nil {
		o.Rand = rand.Int64N
	}
	return &Scheduler{o: o, log: o.Logger, m: newMetrics(o.Metrics), byName: map[string]*task{},
		stopping: make(chan struct{})}
}

// Add registers t. It fails on a missing name or Run, a duplicate name, a singleton task
// without a Locker, or once the scheduler started.
func (s *Scheduler) Add(t Task) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case t.Name == "":
		return errors.New("adding a task: no name")
	case t.Run == nil:
		return fmt.Errorf("adding task %q: no Run function", t.Name)
	case !t.Spec.IsCron() && t.Spec.Every() <= 0:
		return fmt.Errorf("adding task %q: empty schedule", t.Name)
	case s.byName[t.Name] != nil:
		return fmt.Errorf("adding task %q: a task of that name exists", t.Name)
	case t.Singleton && s.o.Locker == nil:
		return fmt.Errorf("adding task %q: a singleton task needs a Locker", t.Name)
	case s.started:
		return fmt.Errorf("adding task %q: the scheduler already started", t.Name)
	}
	tk := &task{Task: t, now: make(chan struct{}, 1),
		st: TaskStatus{Name: t.Name, Schedule: t.Spec.String(), Singleton: t.Singleton}}
	s.tasks = append(s.tasks, tk)
	s.byName[t.Name] = tk
	return nil
}

// Start reads each task's last run time and starts running the tasks; it returns at once.
// Runs stop when ctx is done (their contexts derive from it) or after Stop. A scheduler
// starts once.
func (s *Scheduler) Start(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started {
		return errors.New("starting the scheduler: already started")
	}
	now := s.o.Clock.Now()
	plans := make([]plan, len(s.tasks))
	for i, t := range s.tasks {
		p, err := s.firstPlan(ctx, t, now)
		if err != nil {
			return err
		}
		plans[i] = p
	}
	runCtx, cancel := context.WithCancel(ctx)
	s.started, s.cancel = true, cancel
	for i, t := range s.tasks {
		s.wg.Go(func() { s.loop(runCtx, t, plans[i]) })
	}
	s.log.Info("scheduler started", "tasks", len(s.tasks))
	return nil
}

// Stop stops starting runs and waits for the runs in flight until ctx is done; it then
// cancels them, waits for them to return and reports ctx's error. Stopping a scheduler that
// is not running does nothing.
func (s *Scheduler) Stop(ctx context.Context) error {
	s.mu.Lock()
	if !s.started {
		s.mu.Unlock()
		return nil
	}
	select {
	case <-s.stopping:
	default:
		close(s.stopping)
	}
	s.mu.Unlock()
	done := make(chan struct{})
	go func() {
		s.wg.Wait()
		close(done)
	}()
	defer s.cancel()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		s.cancel()
		<-done
		s.log.Warn("scheduler stopped: runs in flight were cancelled", "err", ctx.Err())
		return fmt.Errorf("stopping the scheduler: runs in flight were cancelled: %w", ctx.Err())
	}
}

// RunNow asks for a run of task name as soon as possible: at once if it is idle, right after
// its run in flight otherwise (requests made meanwhile are merged). Its schedule is unchanged.
func (s *Scheduler) RunNow(name string) error {
	s.mu.Lock()
	t := s.byName[name]
	s.mu.Unlock()
	if t == nil {
		return fmt.Errorf("running %q: %w", name, ErrUnknownTask)
	}
	select {
	case t.now <- struct{}{}:
	default:
	}
	return nil
}

// Status returns every task's status, in the order they were added.
func (s *Scheduler) Status() []TaskStatus {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]TaskStatus, len(s.tasks))
	for i, t := range s.tasks {
		out[i] = t.st
	}
	return out
}
