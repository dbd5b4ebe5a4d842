package pattern

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
)

// CIDR returns a matcher of IP address strings inside any of the given
// networks (the Sigma `cidr` modifier). A network is IPv4 or IPv6 CIDR
// notation, or a bare address meaning a single host; as with pySigma
// (Python's ip_network), a network with host bits set ("10.1.2.3/8") is an
// error, and so is an empty list. An IPv4-mapped IPv6 network of length 96 or
// more is treated as the IPv4 network it maps.
//
// The matcher parses the whole value as an address: IPv4 dotted quad, IPv6
// (a zone such as "%eth0" is ignored) or IPv4-mapped IPv6, which is unmapped
// so that "::ffff:10.1.2.3" is inside 10.0.0.0/8. Anything else, including
// surrounding spaces, a port, a hostname or IPv4 with leading zeros
// ("010.1.2.3", ambiguous), never matches.
func CIDR(prefixes ...string) (Matcher, error) {
	if len(prefixes) == 0 {
		return nil, errors.New("no network given for cidr")
	}
	m := &cidrMatcher{desc: prefixes}
	for _, s := range prefixes {
		p, err := parseNetwork(s)
		if err != nil {
			return nil, fmt.Errorf("parsing cidr network %q: %w", s, err)
		}
		if p.Addr().Is4() {
			m.v4 = append(m.v4, p)
		} else {
			m.v6 = append(m.v6, p)
		}
	}
	return m, nil
}

func parseNetwork(s string) (netip.Prefix, error) {
	var p netip.Prefix
	if strings.Contains(s, "/") {
		var err error
		if p, err = netip.ParsePrefix(s); err != nil {
			return p, err
		}
	} else {
		a, err := netip.ParseAddr(s)
		if err != nil {
			return p, err
		}
		if a.Zone() != "" {
			return p, errors.New("network must not have a zone")
		}
		p = netip.PrefixFrom(a, a.BitLen())
	}
	if p != p.Masked() {
		return p, fmt.Errorf("host bits set (network is %s)", p.Masked())
	}
	if a := p.Addr(); a.Is4In6() && p.Bits() >= 96 {
		p = netip.PrefixFrom(a.Unmap(), p.Bits()-96)
	}
	return p, nil
}

// cidrMatcher is the matcher built by CIDR.
type cidrMatcher struct {
	v4, v6 []netip.Prefix
	desc   []string
}

func (m *cidrMatcher) MatchString(s string) bool {
	if !maybeIP(s) {
		return false
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return false
	}
	a = a.Unmap()
	ps := m.v4
	if !a.Is4() {
		ps = m.v6
		a = a.WithZone("")
	}
	for _, p := range ps {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// maybeIP cheaply rejects values that cannot be an address (hostnames,
// "AWS Internal") before netip.ParseAddr, whose errors allocate.
func maybeIP(s string) bool {
	if len(s) < 2 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case '0' <= c && c <= '9', 'a' <= c|0x20 && c|0x20 <= 'f', c == '.', c == ':':
		case c == '%':
			return i > 0 // the zone may hold any character
		default:
			return false
		}
	}
	return true
}

func (m *cidrMatcher) String() string {
	if len(m.desc) == 1 {
		return "is an IP address in " + m.desc[0]
	}
	return "is an IP address in one of " + strings.Join(m.desc, ", ")
}
