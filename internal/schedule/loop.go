package schedule

import (
	"context"
	"fmt"
	"time"
)

// maxCatchUpSteps bounds the walk over the cron times missed during downtime.
const maxCatchUpSteps = 1 << 20

// plan is a task's next run: due is when it starts, nominal the schedule time it stands for
// (due is nominal plus jitter, or later when the previous run overran). A zero due means no
// scheduled run (a cron expression that never matches again).
type plan struct {
	nominal, due time.Time
}

func checkpointKey(name string) string { return "schedule/" + name }

func (s *Scheduler) jitter(t *task) time.Duration {
	if j := t.Spec.Jitter(); j > 0 {
		return time.Duration(s.o.Rand(int64(j)))
	}
	return 0
}

// firstPlan is a task's first run: at start (plus jitter) for an every task; for a cron task
// at start when it catches up a missed time, at its next time otherwise.
func (s *Scheduler) firstPlan(ctx context.Context, t *task, now time.Time) (plan, error) {
	if !t.Spec.IsCron() {
		return plan{nominal: now, due: now.Add(s.jitter(t))}, nil
	}
	if last, ok, err := s.lastRun(ctx, t); err != nil {
		return plan{}, err
	} else if ok {
		if missed := lastMissed(t.Spec, last, now); !missed.IsZero() {
			if t.CatchUp {
				s.log.Info("catching up a run missed during downtime", "task", t.Name, "missed", missed, "last_run", last)
				return plan{nominal: missed, due: now}, nil
			}
			s.log.Info("runs missed during downtime are not caught up", "task", t.Name, "last_run", last)
		}
	}
	next := t.Spec.Next(now)
	if next.IsZero() {
		return plan{}, nil
	}
	return plan{nominal: next, due: next.Add(s.jitter(t))}, nil
}

// lastRun returns the task's last run time as stored in the checkpoints.
func (s *Scheduler) lastRun(ctx context.Context, t *task) (time.Time, bool, error) {
	if s.o.Checkpoints == nil {
		return time.Time{}, false, nil
	}
	b, ok, err := s.o.Checkpoints.Checkpoint(ctx, checkpointKey(t.Name))
	if err != nil {
		return time.Time{}, false, fmt.Errorf("starting the scheduler: reading the last run of %q: %w", t.Name, err)
	}
	if !ok {
		return time.Time{}, false, nil
	}
	last, err := time.Parse(time.RFC3339Nano, string(b))
	if err != nil {
		s.log.Warn("ignoring an unreadable last run time", "task", t.Name, "err", err)
		return time.Time{}, false, nil
	}
	return last, true, nil
}

// lastMissed returns the latest scheduled time in (last, now], zero when there is none.
func lastMissed(sp Spec, last, now time.Time) time.Time {
	var missed time.Time
	for i, n := 0, sp.Next(last); !n.IsZero() && !n.After(now); i, n = i+1, sp.Next(n) {
		if i == maxCatchUpSteps {
			return now
		}
		missed = n
	}
	return missed
}

// nextPlan is the run after the one for nominal that ended at end. The schedule times that
// passed during the run are skipped, but for the last, which runs at once (delayed).
func (s *Scheduler) nextPlan(t *task, nominal, end time.Time) plan {
	n := t.Spec.Next(nominal)
	if n.IsZero() {
		return plan{}
	}
	var skipped int64
	if every := t.Spec.Every(); every > 0 {
		if late := end.Sub(n); late >= every {
			skipped = int64(late / every)
			n = n.Add(time.Duration(skipped) * every)
		}
	} else {
		for nn := t.Spec.Next(n); !nn.IsZero() && !nn.After(end) && skipped < maxCatchUpSteps; nn = t.Spec.Next(nn) {
			n = nn
			skipped++
		}
	}
	if skipped > 0 {
		s.m.runs.WithLabelValues(t.Name, OutcomeOverlap).Add(float64(skipped))
		s.mu.Lock()
		t.st.Skipped += skipped
		s.mu.Unlock()
		s.log.Warn("a run outlasted the task's schedule: ticks skipped", "task", t.Name, "skipped", skipped)
	}
	due := n.Add(s.jitter(t))
	if due.Before(end) {
		due = end
	}
	return plan{nominal: n, due: due}
}

// loop runs one task until the scheduler stops or ctx is done. Runs happen in this goroutine,
// so a task never overlaps itself.
func (s *Scheduler) loop(ctx context.Context, t *task, p plan) {
	defer s.setNext(t, time.Time{})
	for !s.stopped(ctx) {
		s.setNext(t, p.due)
		manual := s.wait(ctx, t, p.due)
		if s.stopped(ctx) {
			return
		}
		if manual {
			s.runOnce(ctx, t, s.o.Clock.Now()) // the schedule is unchanged
			continue
		}
		s.runOnce(ctx, t, p.nominal)
		p = s.nextPlan(t, p.nominal, s.o.Clock.Now())
	}
}

// wait waits until due (forever when zero), a RunNow request (manual is then true), Stop or
// the end of ctx.
func (s *Scheduler) wait(ctx context.Context, t *task, due time.Time) (manual bool) {
	var fire <-chan time.Time
	if !due.IsZero() {
		timer := s.o.Clock.NewTimer(due.Sub(s.o.Clock.Now()))
		defer timer.Stop()
		fire = timer.C()
	}
	select {
	case <-fire:
	case <-t.now:
		return true
	case <-s.stopping:
	case <-ctx.Done():
	}
	return false
}

func (s *Scheduler) stopped(ctx context.Context) bool {
	select {
	case <-s.stopping:
		return true
	case <-ctx.Done():
		return true
	default:
		return false
	}
}

func (s *Scheduler) setNext(t *task, at time.Time) {
	s.mu.Lock()
	t.st.NextRun = at
	s.mu.Unlock()
}

// runOnce runs t for the schedule time nominal: it takes the task's lock when it is a
// singleton, runs it, and records the outcome and the run time.
func (s *Scheduler) runOnce(ctx context.Context, t *task, nominal time.Time) {
	if t.Singleton {
		unlock, ok, err := s.o.Locker.TryLock(ctx, "job/"+t.Name)
		switch {
		case err != nil:
			s.skip(t, OutcomeLockError)
			s.logFailure(t, "cannot lock a singleton task: run skipped", fmt.Errorf("locking: %w", err))
			return
		case !ok:
			s.skip(t, OutcomeLocked)
			s.log.Debug("singleton task locked elsewhere: run skipped", "task", t.Name)
			return
		}
		defer unlock()
	}
	start := s.o.Clock.Now()
	s.mu.Lock()
	t.st.Running, t.st.LastStart = true, start
	t.st.Runs++
	s.mu.Unlock()

	err := call(ctx, t)

	end := s.o.Clock.Now()
	s.m.duration.WithLabelValues(t.Name).Observe(end.Sub(start).Seconds())
	s.mu.Lock()
	t.st.Running, t.st.LastEnd, t.st.LastError = false, end, ""
	if err != nil {
		t.st.LastError = err.Error()
	}
	s.mu.Unlock()
	if err != nil {
		s.m.runs.WithLabelValues(t.Name, OutcomeError).Inc()
		s.logFailure(t, "task failed", err)
	} else {
		s.m.runs.WithLabelValues(t.Name, OutcomeSuccess).Inc()
		s.m.lastSuccess.WithLabelValues(t.Name).Set(float64(end.UnixNano()) / 1e9)
		if t.lastErr != "" {
			s.log.Info("task recovered", "task", t.Name)
			t.lastErr = ""
		}
	}
	s.saveLastRun(ctx, t, nominal)
}

// call runs t, turning a panic into an error.
func call(ctx context.Context, t *task) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("task %q panicked: %v", t.Name, r)
		}
	}()
	return t.Run(ctx)
}

func (s *Scheduler) skip(t *task, outcome string) {
	s.m.runs.WithLabelValues(t.Name, outcome).Inc()
	s.mu.Lock()
	t.st.Skipped++
	s.mu.Unlock()
}

// logFailure logs err once while it repeats unchanged.
func (s *Scheduler) logFailure(t *task, msg string, err error) {
	if err.Error() == t.lastErr {
		s.log.Debug(msg, "task", t.Name, "err", err)
		return
	}
	t.lastErr = err.Error()
	s.log.Warn(msg, "task", t.Name, "err", err)
}

// saveLastRun stores nominal as the task's last run, even when ctx was just cancelled.
func (s *Scheduler) saveLastRun(ctx context.Context, t *task, nominal time.Time) {
	if s.o.Checkpoints == nil {
		return
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	v := []byte(nominal.UTC().Format(time.RFC3339Nano))
	if err := s.o.Checkpoints.SetCheckpoint(sctx, checkpointKey(t.Name), v); err != nil {
		s.log.Warn("cannot save the last run time of a task", "task", t.Name, "err", err)
	}
}
