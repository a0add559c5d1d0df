package workbook

import (
	"unicode/utf8"
)

// plainByte marks the ASCII bytes a cell's text carries as they are.
var plainByte = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = true
	}
	t['\t'], t['\n'] = true, true
	t['&'], t['<'], t['>'], t['_'] = false, false, false, false
	return t
}()

const hexDigits = "0123456789ABCDEF"

// appendEscaped appends s as XML text. With bstr (the text of a string
// cell), characters XML 1.0 cannot carry become _xHHHH_ escapes, as Excel
// writes them, and an underscore that would read as one is escaped as
// _x005F_; without it (an error cell's value) they are dropped. A carriage
// return is escaped too, because XML readers turn it into a line feed.
// Bytes that are not UTF-8 become U+FFFD.
func appendEscaped(dst []byte, s string, bstr bool) []byte {
	for i := 0; i < len(s); {
		j := i
		for j < len(s) && plainByte[s[j]] {
			j++
		}
		dst = append(dst, s[i:j]...)
		if j == len(s) {
			break
		}
		i = j
		c := s[i]
		switch {
		case c == '&':
			dst = append(dst, "&amp;"...)
		case c == '<':
			dst = append(dst, "&lt;"...)
		case c == '>':
			dst = append(dst, "&gt;"...)
		case c == '_':
			if bstr && looksEscaped(s[i:]) {
				dst = append(dst, "_x005F_"...)
			} else {
				dst = append(dst, '_')
			}
		case c < 0x80: // a control character
			if bstr {
				dst = appendBstr(dst, rune(c))
			}
		default:
			r, n := utf8.DecodeRuneInString(s[i:])
			switch {
			case r == utf8.RuneError && n == 1:
				dst = append(dst, "\uFFFD"...)
			case !carriesXMLChar(r):
				if bstr {
					dst = appendBstr(dst, r)
				}
			default:
				dst = append(dst, s[i:i+n]...)
			}
			i += n
			continue
		}
		i++
	}
	return dst
}

func appendBstr(dst []byte, r rune) []byte {
	return append(dst, '_', 'x', hexDigits[r>>12&15], hexDigits[r>>8&15], hexDigits[r>>4&15], hexDigits[r&15], '_')
}

// looksEscaped reports whether s starts with _xHHHH, which a reader would
// take for an escape if an underscore came next, as the next character's
// own escape may begin with one.
func looksEscaped(s string) bool {
	if len(s) < 6 || s[1] != 'x' {
		return false
	}
	for _, c := range []byte(s[2:6]) {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// carriesXMLChar reports whether XML 1.0 can carry r as a character (the
// carriage return aside, which it turns into a line feed).
func carriesXMLChar(r rune) bool {
	switch {
	case r == '\t' || r == '\n':
		return true
	case r < 0x20 || r == '\r':
		return false
	case r <= 0xD7FF:
		return true
	case r >= 0xE000 && r <= 0xFFFD:
		return true
	}
	return r >= 0x10000 && r <= utf8.MaxRune
}

// utf16Len returns the length of s in UTF-16 code units, as Excel counts
// characters.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n++
		if r >= 0x10000 {
			n++
		}
	}
	return n
}

// truncateUTF16 cuts s to at most max UTF-16 code units, at a character
// boundary. Text of up to max bytes is never cut.
func truncateUTF16(s string, max int) string {
	if len(s) <= max {
		return s
	}
	n := 0
	for i, r := range s {
		w := 1
		if r >= 0x10000 {
			w = 2
		}
		if n+w > max {
			return s[:i]
		}
		n += w
	}
	return s
}
