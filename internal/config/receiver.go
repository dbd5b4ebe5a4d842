package config

import (
	"fmt"

	"go.yaml.in/yaml/v3"
)

// Receiver is one notification destination: a name, a channel type and the channel's own
// settings (checked by the channel when the receiver is built).
type Receiver struct {
	Name string
	Type string // email, webhook, slack, teams, pagerduty, opsgenie, sns, stdout
	// SendResolved asks for a notification when the alerts resolve (default true).
	SendResolved *bool
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
