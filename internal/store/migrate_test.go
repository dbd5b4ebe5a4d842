package store

import (
	"errors"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
)

func TestLoadMigrations(t *testing.T) {
	tests := []struct {
		name    string
		files   fstest.MapFS
		want    []Migration
		wantErr bool
	}{
		{
			name: "ordered",
			files: fstest.MapFS{
				"m/0002_more.sql":       {Data: []byte("B")},
				"m/0001_foundation.sql": {Data: []byte("A")},
				"m/README.md":           {Data: []byte("doc")},
			},
			want: []Migration{{1, "foundation", "A"}, {2, "more", "B"}},
		},
		{name: "empty", files: fstest.MapFS{"m/README.md": {}}},
		{name: "gap", files: fstest.MapFS{"m/0001_a.sql": {}, "m/0003_c.sql": {}}, wantErr: true},
		{name: "duplicate", files: fstest.MapFS{"m/0001_a.sql": {}, "m/0001_b.sql": {}}, wantErr: true},
		{name: "starts at 2", files: fstest.MapFS{"m/0002_a.sql": {}}, wantErr: true},
		{name: "bad name", files: fstest.MapFS{"m/1_a.sql": {}}, wantErr: true},
		{name: "no dir", files: fstest.MapFS{}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := LoadMigrations(tt.files, "m")
			if (err != nil) != tt.wantErr {
				t.Fatalf("LoadMigrations() error = %v, want error %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("LoadMigrations() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPending(t *testing.T) {
	known := []Migration{{1, "a", ""}, {2, "b", ""}, {3, "c", ""}}
	tests := []struct {
		name      string
		applied   []AppliedMigration
		want      []int
		wantErr   bool
		wantIsNew bool
	}{
		{name: "fresh", want: []int{1, 2, 3}},
		{name: "partly", applied: []AppliedMigration{{Version: 1, Name: "a"}}, want: []int{2, 3}},
		{name: "current", applied: []AppliedMigration{{Version: 1, Name: "a"}, {Version: 2, Name: "b"}, {Version: 3, Name: "c"}}},
		{name: "too new", applied: []AppliedMigration{{Version: 1, Name: "a"}, {Version: 4, Name: "d"}}, wantErr: true, wantIsNew: true},
		{name: "renamed", applied: []AppliedMigration{{Version: 1, Name: "x"}}, wantErr: true},
		{name: "skipped", applied: []AppliedMigration{{Version: 2, Name: "b"}}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Pending(known, tt.applied)
			if (err != nil) != tt.wantErr {
				t.Fatalf("Pending() error = %v, want error %v", err, tt.wantErr)
			}
			if errors.Is(err, ErrSchemaTooNew) != tt.wantIsNew {
				t.Errorf("Pending() error = %v, want errors.Is(ErrSchemaTooNew) = %v", err, tt.wantIsNew)
			}
			var versions []int
			for _, m := range got {
				versions = append(versions, m.Version)
			}
			if diff := cmp.Diff(tt.want, versions); diff != "" {
				t.Errorf("Pending() versions mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
