package console

import (
	"fmt"
	"net/http"
	"net/url"
	"time"

	"picket/internal/alert"
	"picket/internal/rule"
)

// chartDays is how many days the overview chart spans, today included.
const chartDays = 14

// Chart geometry, in SVG user units.
const (
	chartWidth  = 720
	chartHeight = 240
	chartLeft   = 40
	chartRight  = 8
	chartTop    = 12
	chartBottom = 28
)

// overviewView is the data of the overview page.
type overviewView struct {
	Levels    []overviewLevel
	Open      int
	Acked     int
	Chart     chart
	Sources   map[string]int // sources per health
	Truncated bool
	Limit     int
}

// overviewLevel counts the active alerts of one level.
type overviewLevel struct {
	Name        string
	Open, Acked int
	Link        string
}

// chart is a stacked bar chart of alerts per day and level, laid out for SVG.
type chart struct {
	Width, Height int
	Bars          []chartBar
	Grid          []chartTick
	BaseY         int
	Levels        []string // legend, most severe first
	Total         int
	Days          int
}

// chartBar is one day's stack.
type chartBar struct {
	X, Width float64
	LabelX   float64
	Label    string // "11-25"
	Date     string // "2026-11-25", for the data table
	Total    int
	Segments []chartSegment
	PerLevel []int // per chart.Levels, for the data table
}

// chartSegment is one level's part of a bar.
type chartSegment struct {
	Y, Height float64
	Level     string
	Count     int
}

// chartTick is a horizontal grid line with its value.
type chartTick struct {
	Y     float64
	Value int
}

// overview renders counts by level and the alerts-over-time chart.
func (c *console) overview(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	now := c.now().UTC()
	active, err := c.deps.Alerts.List(ctx, alert.Query{
		Status: []alert.Status{alert.StatusOpen, alert.StatusAcknowledged}, Limit: alert.MaxLimit,
	})
	if err != nil {
		c.fail(w, r, fmt.Errorf("listing active alerts: %w", err))
		return
	}
	day0 := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, -(chartDays - 1))
	recent, err := c.deps.Alerts.List(ctx, alert.Query{Since: day0, Limit: alert.MaxLimit})
	if err != nil {
		c.fail(w, r, fmt.Errorf("listing recent alerts: %w", err))
		return
	}
	v := overviewView{
		Chart:     newChart(recent, day0),
		Truncated: len(active) >= alert.MaxLimit || len(recent) >= alert.MaxLimit,
		Limit:     alert.MaxLimit,
		Sources:   map[string]int{},
	}
	byLevel := map[rule.Level]*overviewLevel{}
	for _, l := range levelsDesc() {
		q := url.Values{"status": {"active"}, "level": {levelName(l)}}
		byLevel[l] = &overviewLevel{Name: levelName(l), Link: c.listURL("/alerts", q)}
	}
	for _, a := range active {
		ol := byLevel[a.Level]
		if a.Status == alert.StatusOpen {
			ol.Open++
			v.Open++
		} else {
			ol.Acked++
			v.Acked++
		}
	}
	for _, l := range levelsDesc() {
		if ol := byLevel[l]; l != rule.LevelUnknown || ol.Open+ol.Acked > 0 {
			v.Levels = append(v.Levels, *ol)
		}
	}
	if c.deps.Sources != nil {
		for _, s := range c.deps.Sources() {
			v.Sources[health(s, now)]++
		}
	}
	c.render(w, r, http.StatusOK, "overview", pageData{Title: "Overview", Nav: "overview", Data: v})
}

// newChart counts alerts by the day they were first seen (event time) and level, from day0 on.
func newChart(as []*alert.Alert, day0 time.Time) chart {
	levels := []rule.Level{rule.Critical, rule.High, rule.Medium, rule.Low, rule.Informational, rule.LevelUnknown}
	counts := make([][]int, chartDays)
	for i := range counts {
		counts[i] = make([]int, len(levels))
	}
	ch := chart{Width: chartWidth, Height: chartHeight, BaseY: chartHeight - chartBottom, Days: chartDays}
	for _, l := range levels {
		ch.Levels = append(ch.Levels, levelName(l))
	}
	for _, a := range as {
		d := int(a.FirstSeen.UTC().Sub(day0) / (24 * time.Hour))
		if a.FirstSeen.Before(day0) || d >= chartDays {
			continue
		}
		for li, l := range levels {
			if a.Level == l {
				counts[d][li]++
			}
		}
	}
	maxTotal := 0
	for _, row := range counts {
		t := 0
		for _, n := range row {
			t += n
		}
		maxTotal = max(maxTotal, t)
		ch.Total += t
	}
	top := niceCeil(maxTotal)
	plotH := float64(chartHeight - chartTop - chartBottom)
	slot := float64(chartWidth-chartLeft-chartRight) / chartDays
	scale := plotH / float64(top)
	for _, f := range []int{0, 2, 4} {
		val := top * f / 4
		ch.Grid = append(ch.Grid, chartTick{Y: float64(ch.BaseY) - float64(val)*scale, Value: val})
	}
	for i, row := range counts {
		day := day0.AddDate(0, 0, i)
		b := chartBar{
			X: chartLeft + slot*float64(i) + slot*0.15, Width: slot * 0.7, LabelX: chartLeft + slot*(float64(i)+0.5),
			Label: day.Format("01-02"), Date: day.Format("2006-01-02"), PerLevel: row,
		}
		y := float64(ch.BaseY)
		for li := len(levels) - 1; li >= 0; li-- { // least severe at the bottom
			n := row[li]
			b.Total += n
			if n == 0 {
				continue
			}
			h := float64(n) * scale
			y -= h
			b.Segments = append(b.Segments, chartSegment{Y: y, Height: h, Level: levelName(levels[li]), Count: n})
		}
		ch.Bars = append(ch.Bars, b)
	}
	return ch
}

// niceCeil rounds n up to a multiple of 4 (the grid has quarter lines), at least 4.
func niceCeil(n int) int {
	if n <= 4 {
		return 4
	}
	step := 4
	for step*10 < n {
		step *= 10
	}
	return (n + step - 1) / step * step
}
