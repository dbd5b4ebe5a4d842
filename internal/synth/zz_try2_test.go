package synth

import (
	"encoding/json"
	"fmt"
	"testing"
)

func TestBreakdown(t *testing.T) {
	g := NewCloudTrail(1)
	var buf []byte
	sum := map[string]int{}
	kinds := map[string]int{}
	kindSize := map[string]int{}
	n := 20000
	for range n {
		buf = g.Next(buf[:0])
		var m map[string]json.RawMessage
		json.Unmarshal(buf, &m)
		var id struct{ Type string }
		json.Unmarshal(m["userIdentity"], &id)
		if id.Type == "IAMUser" {
			for k, v := range m {
				sum[k] += len(k) + 4 + len(v)
			}
			var name string
			json.Unmarshal(m["eventName"], &name)
			sum["N:"+name] += len(buf)
			sum["C:"+name]++
		}
		kinds[id.Type]++
		kindSize[id.Type] += len(buf)
	}
	for k, v := range sum {
		if k[:2] == "N:" {
			fmt.Printf("%-30s %7.1f %d\n", k, float64(v)/float64(sum["C:"+k[2:]]), sum["C:"+k[2:]])
			continue
		}
		if k[:2] == "C:" {
			continue
		}
		fmt.Printf("%-30s %7.1f\n", k, float64(v)/float64(kinds["IAMUser"]))
	}
	for k, v := range kinds {
		fmt.Printf("%-12s %5d %7.1f\n", k, v, float64(kindSize[k])/float64(v))
	}
}

func TestWeights(t *testing.T) {
	g := NewCloudTrail(1)
	tot, sec := 0, 0
	svc := map[string]bool{}
	for _, c := range g.calls {
		tot += c.weight
		if c.security {
			sec += c.weight
		}
		svc[c.source] = true
	}
	fmt.Println("total", tot, "security", sec, float64(sec)/float64(tot), "calls", len(g.calls), "services", len(svc))
}

func TestSeedsMean(t *testing.T) {
	for seed := int64(0); seed < 12; seed++ {
		g := NewCloudTrail(seed)
		var buf []byte
		tot := 0
		for range 10000 {
			buf = g.Next(buf[:0])
			tot += len(buf)
		}
		fmt.Println(seed, tot/10000)
	}
}
