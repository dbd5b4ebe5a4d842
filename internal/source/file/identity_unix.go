//go:build unix

package file

import (
	"fmt"
	"io/fs"
	"syscall"
)

// fileIdentity returns the device and inode of fi: the file's identity across renames.
func fileIdentity(fi fs.FileInfo) (string, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return "", false
	}
	return fmt.Sprintf("%d-%d", uint64(st.Dev), uint64(st.Ino)), true //nolint:unconvert // Dev and Ino differ in type between platforms
}
