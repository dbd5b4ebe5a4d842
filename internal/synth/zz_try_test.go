package synth

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"testing"
	"time"
)

func TestTry(t *testing.T) {
	g := NewCloudTrail(1)
	var buf []byte
	total := 0
	names := map[string]int{}
	sizes := map[string][]int{}
	n := 20000
	for i := range n {
		buf = g.Next(buf[:0])
		total += len(buf)
		if !json.Valid(buf) {
			t.Fatalf("invalid: %s", buf)
		}
		var m map[string]any
		json.Unmarshal(buf, &m)
		name := m["eventName"].(string)
		names[name]++
		sizes[name] = append(sizes[name], len(buf))
		if i < 3 || (name == "ConsoleLogin" && names[name] == 1) || (name == "AuthorizeSecurityGroupIngress" && names[name] == 1) {
			fmt.Println(string(buf))
		}
	}
	fmt.Println("mean", float64(total)/float64(n), "names", len(names))
	type kv struct {
		k string
		v int
	}
	var l []kv
	for k, v := range names {
		l = append(l, kv{k, v})
	}
	sort.Slice(l, func(i, j int) bool { return l[i].v > l[j].v })
	for _, x := range l {
		s := 0
		for _, z := range sizes[x.k] {
			s += z
		}
		fmt.Printf("%-32s %5d %6d\n", x.k, x.v, s/len(sizes[x.k]))
	}
	start := time.Now()
	tot := 0
	for range 200000 {
		buf = g.Next(buf[:0])
		tot += len(buf)
	}
	el := time.Since(start)
	fmt.Printf("%.1f MB/s\n", float64(tot)/el.Seconds()/1e6)
	_ = os.Stdout
}
