//go:build !linux

package atomicfile

import "syscall"

// commit makes the temporary files durable: one fsync each (no syncfs
// here).
func commit(temps []temp) error {
	for _, t := range temps {
		if t.fd < 0 {
			continue
		}
		if err := syscall.Fsync(t.fd); err != nil {
			return err
		}
	}
	return nil
}
