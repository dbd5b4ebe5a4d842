package config

import (
	"fmt"
	"time"

	"go.yaml.in/yaml/v3"
)

// Receiver is one notification destination: a name, a channel type and the channel's own
// settings (checked by the channel when the receiver is built).
type Receiver struct {
	Name string
	Type string // email, webhook, slack, teams, pagerduty, opsgenie, sns, stdout
	// SendResolved asks for a notification when the alerts resolve (default true).
	SendResolved *bool
	// Delivery tunes the dispatcher for this receiver: concurrency, rate_limit, burst,
	// max_age and fallback (zero values take the dispatcher's defaults).
	Delivery Delivery
	// Settings holds the remaining keys of the receiver, for the channel to decode strictly.
	Settings yaml.Node
	// Line is where the receiver is defined.
	Line int
}

// UnmarshalYAML reads name, type and send_resolved and keeps every other key as the channel's
// settings.
func (r *Receiver) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: a receiver is a mapping", n.Line)
	}
	r.Line = n.Line
	r.Settings = yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: n.Line, Column: n.Column}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		switch k.Value {
		case "name":
			r.Name = v.Value
		case "type":
			r.Type = v.Value
		case "concurrency", "rate_limit", "burst", "max_age", "fallback":
			if err := r.Delivery.set(k.Value, v); err != nil {
				return err
			}
		case "send_resolved":
			var b bool
			if err := v.Decode(&b); err != nil {
				return fmt.Errorf("line %d: send_resolved must be true or false", v.Line)
			}
			r.SendResolved = &b
		default:
			r.Settings.Content = append(r.Settings.Content, k, v)
		}
	}
	return nil
}

// WantsResolved reports whether the receiver is sent resolved notifications.
func (r Receiver) WantsResolved() bool { return r.SendResolved == nil || *r.SendResolved }

// Delivery is how the dispatcher delivers to one receiver.
type Delivery struct {
	// Concurrency bounds the sends in flight (default 4).
	Concurrency int
	// RateLimit is the sustained sends per second (0: no limit), Burst the bucket size.
	RateLimit float64
	Burst     int
	// MaxAge is how long a notification may stay undelivered before it is dead-lettered
	// (default 24h).
	MaxAge time.Duration
	// Fallback names a receiver that gets a copy of every dead-lettered notification.
	Fallback string
}

func (d *Delivery) set(key string, v *yaml.Node) error {
	var err error
	switch key {
	case "concurrency":
		err = v.Decode(&d.Concurrency)
	case "rate_limit":
		err = v.Decode(&d.RateLimit)
	case "burst":
		err = v.Decode(&d.Burst)
	case "max_age":
		err = v.Decode(&d.MaxAge)
	case "fallback":
		d.Fallback = v.Value
	}
	if err != nil {
		return fmt.Errorf("line %d: %s: %s", v.Line, key, cleanYAMLError(err))
	}
	if d.Concurrency < 0 || d.RateLimit < 0 || d.Burst < 0 || d.MaxAge < 0 {
		return fmt.Errorf("line %d: %s must not be negative", v.Line, key)
	}
	return nil
}
