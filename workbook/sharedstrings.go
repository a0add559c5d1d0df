package workbook

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
)

// sharedStrings is the shared string table held as one string and the end
// offset of each item, so a cell's string is a substring, not a copy, and
// the table costs two allocations whatever its size.
type sharedStrings struct {
	all  string
	ends []int
}

func (t *sharedStrings) len() int { return len(t.ends) }

func (t *sharedStrings) get(i int) string {
	start := 0
	if i > 0 {
		start = t.ends[i-1]
	}
	return t.all[start:t.ends[i]]
}

// loadSharedStrings reads the table with the byte scanner: each <si> is its
// <t> text, or the concatenation of its rich text runs' <t>; phonetic runs
// (<rPh>) are left out, as Excel and excelize do. maxBytes bounds the memory
// the table takes, counting 8 bytes of index per item.
func loadSharedStrings(p *pkg, name string, maxBytes int64) (*sharedStrings, error) {
	rc, err := p.open(name)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	sc := newScanner(rc)
	var (
		sb        strings.Builder
		t         = &sharedStrings{}
		item, dec []byte
		inSI, inT bool
		phonetic  int
		used      int64
		fail      = func(err error) error {
			if errors.Is(err, ErrTooLarge) {
				return fmt.Errorf("workbook: %w", err)
			}
			return fmt.Errorf("workbook: %s item %d: %w: %w", name, len(t.ends), ErrMalformed, err)
		}
	)
	for {
		if err := sc.next(); err != nil {
			return nil, fail(err)
		}
		switch sc.kind {
		case tokEOF:
			t.all = sb.String()
			return t, nil
		case tokStart:
			switch string(sc.name) {
			case "si":
				inSI, item = !sc.selfClose, item[:0]
				if sc.selfClose {
					if used += 8; used > maxBytes {
						return nil, fmt.Errorf("workbook: %s: shared strings take more than %d bytes: %w", name, maxBytes, ErrTooLarge)
					}
					t.ends = append(t.ends, sb.Len())
				}
			case "rPh":
				if !sc.selfClose {
					phonetic++
				}
			case "t":
				inT = inSI && phonetic == 0 && !sc.selfClose
			}
		case tokEnd:
			switch string(sc.name) {
			case "si":
				if !inSI {
					continue
				}
				inSI, inT = false, false
				dec = appendUnescaped(dec[:0], item)
				used += int64(len(dec)) + 8
				if used > maxBytes {
					return nil, fmt.Errorf("workbook: %s: shared strings take more than %d bytes: %w", name, maxBytes, ErrTooLarge)
				}
				sb.Write(dec)
				t.ends = append(t.ends, sb.Len())
			case "rPh":
				phonetic = max(0, phonetic-1)
			case "t":
				inT = false
			}
		case tokText:
			if inT {
				if item, err = appendText(item, sc.text); err != nil {
					return nil, fail(err)
				}
				if int64(len(item)) > maxBytes {
					return nil, fmt.Errorf("workbook: %s: shared strings take more than %d bytes: %w", name, maxBytes, ErrTooLarge)
				}
			}
		case tokCDATA:
			if inT {
				item = appendCDATA(item, sc.text)
			}
		}
	}
}

// appendUnescaped decodes the _xHHHH_ escapes OOXML strings use for
// characters XML 1.0 cannot carry (_x005F_ is a literal underscore). Like
// excelize, an escape of a code point that is not a valid rune (a lone
// surrogate) decodes to nothing.
func appendUnescaped(dst, s []byte) []byte {
	if !bytes.Contains(s, []byte("_x")) {
		return append(dst, s...)
	}
	for i := 0; i < len(s); {
		if r, ok := bstrEscape(s[i:]); ok {
			if r >= 0 {
				dst = appendRune(dst, r)
			}
			i += 7
			continue
		}
		dst = append(dst, s[i])
		i++
	}
	return dst
}

// bstrEscape reports whether s starts with _xHHHH_ and the rune it stands
// for, or -1 when that is not a valid rune.
func bstrEscape(s []byte) (rune, bool) {
	if len(s) < 7 || s[0] != '_' || s[1] != 'x' || s[6] != '_' {
		return 0, false
	}
	var r rune
	for _, c := range s[2:6] {
		var v rune
		switch {
		case c >= '0' && c <= '9':
			v = rune(c - '0')
		case c >= 'a' && c <= 'f':
			v = rune(c-'a') + 10
		case c >= 'A' && c <= 'F':
			v = rune(c-'A') + 10
		default:
			return 0, false
		}
		r = r<<4 | v
	}
	if r >= 0xD800 && r <= 0xDFFF {
		return -1, true
	}
	return r, true
}
