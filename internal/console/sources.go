package console

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"picket/internal/source"
)

// staleAfter is how long without a successful poll makes a source stale.
const staleAfter = 15 * time.Minute

// sourceView is one row of the sources page.
type sourceView struct {
	source.Status
	Health    string // ok, stale, error or pending
	Lag       string // now minus the checkpoint's time, "" when unknown
	Sparkline sparkline
}

// sparkline is an inline SVG polyline of records per minute.
type sparkline struct {
	Width, Height int
	Points        string // polyline points, "" without data
	Max, Last     int64
	Minutes       int
}

// sources renders the health of every source.
func (c *console) sources(w http.ResponseWriter, r *http.Request) {
	var sts []source.Status
	if c.deps.Sources != nil {
		sts = c.deps.Sources()
	}
	now := c.now()
	views := make([]sourceView, 0, len(sts))
	for _, s := range sts {
		views = append(views, sourceView{Status: s, Health: health(s, now), Lag: lag(s, now), Sparkline: newSparkline(s.PerMinute)})
	}
	slices.SortFunc(views, func(a, b sourceView) int { return strings.Compare(a.Name, b.Name) })
	c.render(w, r, http.StatusOK, "sources", pageData{Title: "Sources", Nav: "sources", Data: views})
}

// health classifies a source: error when its last poll failed, pending before any poll, stale
// when its last success is older than staleAfter, else ok.
func health(s source.Status, now time.Time) string {
	switch {
	case s.LastError != "":
		return "error"
	case s.LastSuccess.IsZero():
		return "pending"
	case now.Sub(s.LastSuccess) > staleAfter:
		return "stale"
	}
	return "ok"
}

// lag is how far behind now the source's checkpoint is.
func lag(s source.Status, now time.Time) string {
	if s.CheckpointTime.IsZero() {
		return ""
	}
	d := now.Sub(s.CheckpointTime)
	if d < 0 {
		d = 0
	}
	return formatDuration(d)
}

// Sparkline geometry, in SVG user units.
const (
	sparkWidth  = 120
	sparkHeight = 28
)

// newSparkline scales per-minute counts (oldest first) into a polyline.
func newSparkline(per []int64) sparkline {
	sp := sparkline{Width: sparkWidth, Height: sparkHeight, Minutes: len(per)}
	if len(per) == 0 {
		return sp
	}
	sp.Max, sp.Last = slices.Max(per), per[len(per)-1]
	scale := 1.0
	if sp.Max > 0 {
		scale = float64(sparkHeight-2) / float64(sp.Max)
	}
	step := 0.0
	if len(per) > 1 {
		step = float64(sparkWidth) / float64(len(per)-1)
	}
	var b strings.Builder
	for i, n := range per {
		if i > 0 {
			b.WriteByte(' ')
		}
		x := step * float64(i)
		y := float64(sparkHeight-1) - float64(n)*scale
		b.WriteString(strconv.FormatFloat(x, 'f', 1, 64) + "," + strconv.FormatFloat(y, 'f', 1, 64))
	}
	if len(per) == 1 {
		fmt.Fprintf(&b, " %d,%s", sparkWidth, strconv.FormatFloat(float64(sparkHeight-1)-float64(per[0])*scale, 'f', 1, 64))
	}
	sp.Points = b.String()
	return sp
}
