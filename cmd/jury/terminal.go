package main

import "os"

// isTerminal reports whether stream, a reader or a writer, is a terminal
// a user types into or reads: a character device other than /dev/null
// (where cron and CI point their streams).
func isTerminal(stream any) bool {
	f, ok := stream.(*os.File)
	if !ok || f == nil {
		return false
	}
	fi, err := f.Stat()
	if err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		return false
	}
	null, err := os.Stat(os.DevNull)
	return err != nil || !os.SameFile(fi, null)
}
