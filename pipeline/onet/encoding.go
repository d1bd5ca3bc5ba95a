package onet

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Encoding says how the bytes of an input file are to be read.
type Encoding string

// The encodings input files may be read in. UTF8 is the default: any
// other byte sequence is an error naming the line. Latin1 (ISO 8859-1)
// reads every byte as the character of the same number, for files that
// older tools wrote.
const (
	UTF8   Encoding = "utf-8"
	Latin1 Encoding = "latin1"
)

// ParseEncoding reads an encoding as a user writes it: utf-8 (or utf8, or
// empty) and latin1 (or latin-1, iso-8859-1).
func ParseEncoding(s string) (Encoding, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "utf-8", "utf8":
		return UTF8, nil
	case "latin1", "latin-1", "iso-8859-1", "iso8859-1":
		return Latin1, nil
	}
	return "", fmt.Errorf("input encoding %q: want utf-8 or latin1", s)
}

var utf8BOM = []byte("\ufeff")

// checkUTF8 says where a line stops being UTF-8, and what to do about it.
func checkUTF8(line []byte) error {
	at := invalidUTF8(line)
	if at < 0 {
		return nil
	}
	return fmt.Errorf("byte 0x%02X at column %d is not UTF-8: save the file as UTF-8, or read it with --input-encoding latin1", line[at], utf8.RuneCount(line[:at])+1)
}

// invalidUTF8 returns the offset of the first byte of b that is not UTF-8,
// or -1.
func invalidUTF8(b []byte) int {
	if utf8.Valid(b) {
		return -1
	}
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return -1
}

// appendLatin1 appends the UTF-8 form of Latin-1 text to dst.
func appendLatin1(dst, latin1 []byte) []byte {
	for _, c := range latin1 {
		if c < utf8.RuneSelf {
			dst = append(dst, c)
			continue
		}
		dst = utf8.AppendRune(dst, rune(c))
	}
	return dst
}
