//go:build !unix

package file

import "io/fs"

// fileIdentity reports no identity: outside Unix files are known by their path only, so a
// renamed file is read again from the beginning.
func fileIdentity(fs.FileInfo) (string, bool) { return "", false }
