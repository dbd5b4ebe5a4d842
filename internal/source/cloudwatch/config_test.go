package cloudwatch

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"
)

func TestSampleDecodesAndValidates(t *testing.T) {
	c := DefaultConfig()
	dec := yaml.NewDecoder(bytes.NewReader(Sample()))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil {
		t.Fatalf("decoding sample.yaml: %v", err)
	}
	if err := c.Validate(); err != nil {
		t.Fatalf("sample.yaml does not validate: %v", err)
	}
	if c.Region != "us-east-1" || len(c.LogGroups) != 1 || c.Lag != 5*time.Minute || c.MaxTPS != 5 {
		t.Errorf("sample decoded to %+v, want region us-east-1, one group, lag 5m, max_tps 5", c)
	}
}

func TestValidate(t *testing.T) {
	ok := DefaultConfig()
	ok.LogGroups = []string{"/aws/lambda/x"}
	tests := []struct {
		name   string
		change func(c *Config)
		want   []string // substrings of the error; none: valid
	}{
		{name: "defaults with a group", change: func(*Config) {}},
		{name: "no group", change: func(c *Config) { c.LogGroups = nil }, want: []string{"at least one of log_groups"}},
		{name: "bad names", change: func(c *Config) {
			c.LogGroups = []string{"bad name"}
			c.LogGroupPrefixes = []string{""}
			c.LogGroupARNs = []string{"arn:aws:s3:::bucket"}
		}, want: []string{"log_groups", "log_group_prefixes", "log_group_arns"}},
		{name: "streams both ways", change: func(c *Config) { c.LogStreamNames = []string{"a"}; c.LogStreamPrefix = "b" }, want: []string{"not both"}},
		{name: "start_at", change: func(c *Config) { c.StartAt = "yesterday" }, want: []string{"start_at"}},
		{name: "lag", change: func(c *Config) { c.Lag = 2 * time.Hour }, want: []string{"max_lag"}},
		{name: "format", change: func(c *Config) { c.Format = "xml" }, want: []string{"format must be"}},
		{name: "flow format with json", change: func(c *Config) { c.Format = FormatJSON; c.VPCFlowFormat = "${version}" }, want: []string{"vpcflow_format needs"}},
		{name: "bad flow format", change: func(c *Config) { c.VPCFlowFormat = "${Version}" }, want: []string{"vpcflow_format"}},
		{name: "empty logsource", change: func(c *Config) { c.LogSource = &LogSource{} }, want: []string{"logsource"}},
		{name: "limits", change: func(c *Config) { c.MaxBatch = 0; c.MaxTPS = 0 }, want: []string{"max_batch", "max_tps"}},
		{name: "account", change: func(c *Config) { c.Region = "mars"; c.RoleARN = "role" }, want: []string{"region", "role_arn"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := ok
			tt.change(&c)
			err := c.Validate()
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate() = nil, want errors mentioning %q", tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Validate() = %q, want it to mention %q", err, w)
				}
			}
		})
	}
}

func TestParseStartAt(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in      string
		want    time.Time
		wantErr bool
	}{
		{in: "", want: now},
		{in: "now", want: now},
		{in: "earliest", want: time.UnixMilli(0).UTC()},
		{in: "-24h", want: now.Add(-24 * time.Hour)},
		{in: "2026-11-01T00:00:00Z", want: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)},
		{in: "-1d", wantErr: true},
		{in: "24h", wantErr: true},
	}
	for _, tt := range tests {
		got, err := parseStartAt(tt.in, now)
		if (err != nil) != tt.wantErr || !got.Equal(tt.want) {
			t.Errorf("parseStartAt(%q) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestExpand(t *testing.T) {
	c := DefaultConfig()
	tests := []struct {
		name    string
		region  string
		regions []string
		roles   []string
		want    []string // name@region
	}{
		{name: "none", want: []string{"cw@"}},
		{name: "one", region: "eu-west-1", want: []string{"cw@eu-west-1"}},
		{name: "one in list", regions: []string{"eu-west-1"}, want: []string{"cw@eu-west-1"}},
		{name: "several", regions: []string{"us-east-1", "eu-west-1"}, want: []string{"cw/us-east-1@us-east-1", "cw/eu-west-1@eu-west-1"}},
		{name: "accounts", region: "eu-west-1", roles: []string{"arn:aws:iam::111111111111:role/r", "arn:aws:iam::222222222222:role/r"},
			want: []string{"cw/111111111111@eu-west-1", "cw/222222222222@eu-west-1"}},
		{name: "accounts and regions", regions: []string{"us-east-1", "eu-west-1"}, roles: []string{"arn:aws:iam::111111111111:role/r", "arn:aws:iam::222222222222:role/r"},
			want: []string{"cw/111111111111/us-east-1@us-east-1", "cw/111111111111/eu-west-1@eu-west-1", "cw/222222222222/us-east-1@us-east-1", "cw/222222222222/eu-west-1@eu-west-1"}},
	}
	for _, tt := range tests {
		c.Region, c.Regions, c.RoleARNs = tt.region, tt.regions, tt.roles
		var got []string
		for _, in := range Expand("cw", c) {
			if in.Config.Region != in.Region || len(in.Config.Regions) != 0 || len(in.Config.RoleARNs) != 0 {
				t.Errorf("%s: instance config region %q regions %v, want %q and none", tt.name, in.Config.Region, in.Config.Regions, in.Region)
			}
			got = append(got, in.Name+"@"+in.Region)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("Expand(%s) (-want +got):\n%s", tt.name, diff)
		}
	}
}

func TestStateRoundTrip(t *testing.T) {
	g := &groupState{t: 1_000_000, start: 700_000, lag: 5 * time.Minute, seen: map[uint64]int64{}}
	for i := range 1000 {
		g.seen[idHash("stream", string(rune('a'+i%26))+strings.Repeat("9", i%7))+uint64(i)] = 700_000 + int64(i*300)
	}
	b, err := g.encode()
	if err != nil {
		t.Fatal(err)
	}
	got, err := decodeState(b)
	if err != nil {
		t.Fatal(err)
	}
	if got.t != g.t || got.start != g.start || got.lag != g.lag || !cmp.Equal(got.seen, g.seen) {
		t.Errorf("decodeState(encode()) = t %d start %d lag %s %d ids, want t %d start %d lag %s %d ids",
			got.t, got.start, got.lag, len(got.seen), g.t, g.start, g.lag, len(g.seen))
	}
	for _, bad := range []string{"", "{", `{"v":2}`, `{"v":1,"seen":"!!"}`, `{"v":1,"seen":"AQ=="}`} {
		if _, err := decodeState([]byte(bad)); err == nil {
			t.Errorf("decodeState(%q) = nil error, want one", bad)
		}
	}
}

func TestAdvance(t *testing.T) {
	tests := []struct {
		name             string
		t, start, to     int64
		lag              time.Duration
		seen             []int64 // timestamps of the ids
		wantT, wantStart int64
		wantSeen         int
	}{
		{name: "forward", t: 100_000, start: 0, to: 400_000, lag: time.Minute, seen: []int64{10, 339_999, 340_000, 399_000}, wantT: 400_000, wantStart: 340_000, wantSeen: 2},
		{name: "never backwards", t: 400_000, start: 340_000, to: 350_000, lag: time.Minute, seen: []int64{340_000}, wantT: 400_000, wantStart: 340_000, wantSeen: 1},
		{name: "bigger lag keeps start", t: 400_000, start: 340_000, to: 410_000, lag: 10 * time.Minute, seen: []int64{340_000}, wantT: 410_000, wantStart: 340_000, wantSeen: 1},
		{name: "zero lag", t: 0, start: 0, to: 5000, lag: 0, seen: []int64{4999, 5000}, wantT: 5000, wantStart: 5000, wantSeen: 1},
	}
	for _, tt := range tests {
		g := &groupState{t: tt.t, start: tt.start, lag: tt.lag, seen: map[uint64]int64{}}
		for i, ts := range tt.seen {
			g.seen[uint64(i)] = ts
		}
		g.advance(tt.to)
		if g.t != tt.wantT || g.start != tt.wantStart || len(g.seen) != tt.wantSeen {
			t.Errorf("%s: advance(%d) = t %d start %d %d ids, want %d %d %d", tt.name, tt.to, g.t, g.start, len(g.seen), tt.wantT, tt.wantStart, tt.wantSeen)
		}
	}
}

func TestAdvanceBound(t *testing.T) {
	g := &groupState{t: 0, start: 0, lag: time.Hour, seen: map[uint64]int64{}}
	for i := range maxSeen + 10 {
		g.seen[uint64(i)] = int64(i)
	}
	evicted := g.advance(int64(maxSeen + 10))
	if len(g.seen) != maxSeen || evicted != 10 || g.start != 10 {
		t.Errorf("advance over the bound kept %d ids, evicted %d, start %d; want %d, 10, 10", len(g.seen), evicted, g.start, maxSeen)
	}
}
