// Package builtin embeds picket's own rule pack: Sigma rules written for picket, each with a test
// file beside it (`name.test.yml`). It holds data only.
package builtin

import (
	"embed"
	"io/fs"
)

//go:embed rules
var files embed.FS

// FS returns the pack, rooted at its rules directory (paths such as `aws/cloudtrail/x.yml`; picket
// shows them under `builtin/`).
func FS() fs.FS {
	sub, err := fs.Sub(files, "rules")
	if err != nil {
		panic(err) // the embedded directory always exists
	}
	return sub
}
