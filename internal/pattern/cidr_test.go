package pattern

import (
	"strings"
	"testing"
)

func TestCIDR(t *testing.T) {
	tests := []struct {
		networks []string
		input    string
		want     bool
	}{
		{[]string{"10.0.0.0/8"}, "10.1.2.3", true},
		{[]string{"10.0.0.0/8"}, "11.1.2.3", false},
		{[]string{"10.0.0.0/8"}, "10.0.0.0", true},
		{[]string{"10.0.0.0/8"}, "10.255.255.255", true},
		{[]string{"192.168.1.0/24", "172.16.0.0/12"}, "172.31.255.1", true},
		{[]string{"192.168.1.0/24", "172.16.0.0/12"}, "172.32.0.1", false},
		{[]string{"0.0.0.0/0"}, "8.8.8.8", true},
		{[]string{"0.0.0.0/0"}, "::1", false},
		{[]string{"1.2.3.4"}, "1.2.3.4", true}, // a bare address is a /32
		{[]string{"1.2.3.4"}, "1.2.3.5", false},
		// IPv6.
		{[]string{"2001:db8::/32"}, "2001:db8:1::1", true},
		{[]string{"2001:db8::/32"}, "2001:DB8::ABCD", true},
		{[]string{"2001:db8::/32"}, "2001:db9::1", false},
		{[]string{"fe80::/10"}, "fe80::1%eth0", true}, // zone ignored
		{[]string{"::1"}, "::1", true},
		// IPv4-mapped IPv6 input is unmapped; a mapped network is an IPv4 one.
		{[]string{"10.0.0.0/8"}, "::ffff:10.1.2.3", true},
		{[]string{"10.0.0.0/8"}, "::ffff:11.1.2.3", false},
		{[]string{"::ffff:10.0.0.0/104"}, "10.9.9.9", true},
		{[]string{"::ffff:0:0/96"}, "10.9.9.9", true},
		// Not addresses.
		{[]string{"10.0.0.0/8"}, "", false},
		{[]string{"10.0.0.0/8"}, " 10.1.2.3", false},
		{[]string{"10.0.0.0/8"}, "10.1.2.3:443", false},
		{[]string{"10.0.0.0/8"}, "10.1.2", false},
		{[]string{"10.0.0.0/8"}, "AWS Internal", false},
		{[]string{"10.0.0.0/8"}, "ec2.amazonaws.com", false},
		{[]string{"10.0.0.0/8"}, "010.1.2.3", false},
	}
	for _, tt := range tests {
		m, err := CIDR(tt.networks...)
		if err != nil {
			t.Fatalf("CIDR(%q) error: %v", tt.networks, err)
		}
		if got := m.MatchString(tt.input); got != tt.want {
			t.Errorf("CIDR(%q).MatchString(%q) = %v, want %v", tt.networks, tt.input, got, tt.want)
		}
	}
}

func TestCIDRErrors(t *testing.T) {
	tests := []struct {
		networks []string
		names    string // the error must contain it
	}{
		{nil, "no network"},
		{[]string{"10.0.0.0/8", "10.0.0.0/33"}, "10.0.0.0/33"},
		{[]string{"10.1.2.3/8"}, "host bits"},
		{[]string{"not-a-network"}, "not-a-network"},
		{[]string{"10.0.0.0/"}, "10.0.0.0/"},
		{[]string{"fe80::1%eth0"}, "zone"},
		{[]string{""}, `""`},
	}
	for _, tt := range tests {
		_, err := CIDR(tt.networks...)
		if err == nil || !strings.Contains(err.Error(), tt.names) {
			t.Errorf("CIDR(%q) error = %v, want one containing %q", tt.networks, err, tt.names)
		}
	}
}

func TestCIDRDescribeAndAllocs(t *testing.T) {
	m, err := CIDR("10.0.0.0/8", "fc00::/7")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := Describe(m), "is an IP address in one of 10.0.0.0/8, fc00::/7"; got != want {
		t.Errorf("Describe = %q, want %q", got, want)
	}
	for _, in := range []string{"10.1.2.3", "192.0.2.1", "fd00::1", "AWS Internal"} {
		if n := testing.AllocsPerRun(10, func() { m.MatchString(in) }); n != 0 {
			t.Errorf("MatchString(%q) allocates %v times, want 0", in, n)
		}
	}
}
