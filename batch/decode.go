package batch

import (
	"encoding/binary"
	"errors"
	"io"
	"unicode/utf16"
	"unicode/utf8"
)

// Encoding is a text encoding of a CSV file.
type Encoding string

// Encodings a CSVReader reads. UTF-16 is recognised by its byte order mark
// whatever the option says.
const (
	// EncodingAuto reads UTF-8, unless the first SniffBytes are not UTF-8
	// but are Windows-1252 (no byte that code page leaves undefined), as
	// Excel writes "CSV" on Western Windows.
	EncodingAuto Encoding = ""
	// EncodingUTF8 reads UTF-8; a record that is not is a row error.
	EncodingUTF8 Encoding = "utf-8"
	// EncodingWindows1252 transcodes Windows-1252 to UTF-8.
	EncodingWindows1252 Encoding = "windows-1252"
	// EncodingUTF16LE and EncodingUTF16BE are detected from a byte order mark.
	EncodingUTF16LE Encoding = "utf-16le"
	EncodingUTF16BE Encoding = "utf-16be"
)

// decoder transcodes a stream to UTF-8 with step, which converts what it
// can of src into dst and returns the bytes written and consumed. At EOF
// it must consume everything.
type decoder struct {
	src  io.Reader
	step func(dst, src []byte, eof bool) (nDst, nSrc int)
	in   []byte // raw bytes, in[r:w] pending
	r, w int
	err  error
	read int64 // bytes read from src
}

func newDecoder(src io.Reader, step func(dst, src []byte, eof bool) (int, int)) *decoder {
	return &decoder{src: src, step: step, in: make([]byte, 32<<10)}
}

func (d *decoder) Read(p []byte) (int, error) {
	if len(p) < 4 {
		return 0, io.ErrShortBuffer
	}
	for {
		eof := d.err != nil
		if d.r < d.w || eof {
			nd, ns := d.step(p, d.in[d.r:d.w], eof)
			d.r += ns
			if nd > 0 {
				return nd, nil
			}
			if eof && d.r == d.w {
				return 0, d.err
			}
		}
		// Need more input: keep the unconsumed tail.
		d.w = copy(d.in, d.in[d.r:d.w])
		d.r = 0
		n, err := d.src.Read(d.in[d.w:])
		d.w += n
		d.read += int64(n)
		if err != nil {
			d.err = err
		}
	}
}

// utf16Step returns a step decoding UTF-16 (big-endian when big) to UTF-8;
// a lone surrogate or an odd last byte becomes U+FFFD.
func utf16Step(big bool) func(dst, src []byte, eof bool) (int, int) {
	unit := func(b []byte) rune {
		if big {
			return rune(b[0])<<8 | rune(b[1])
		}
		return rune(b[1])<<8 | rune(b[0])
	}
	return func(dst, src []byte, eof bool) (nd, ns int) {
		for nd+utf8.UTFMax <= len(dst) {
			rest := src[ns:]
			if len(rest) < 2 {
				if eof && len(rest) == 1 {
					nd += utf8.EncodeRune(dst[nd:], utf8.RuneError)
					ns++
				}
				return nd, ns
			}
			r, n := unit(rest), 2
			if utf16.IsSurrogate(r) {
				switch {
				case len(rest) >= 4:
					if r2 := unit(rest[2:]); r < 0xDC00 && r2 >= 0xDC00 && r2 < 0xE000 {
						r, n = utf16.DecodeRune(r, r2), 4
					} else {
						r = utf8.RuneError
					}
				case !eof:
					return nd, ns
				default:
					r = utf8.RuneError
				}
			}
			nd += utf8.EncodeRune(dst[nd:], r)
			ns += n
		}
		return nd, ns
	}
}

// cp1252 maps bytes 0x80-0x9F of Windows-1252; the five it leaves
// undefined map to the C1 controls, as WHATWG's decoder does. Bytes
// 0xA0-0xFF are Latin-1.
var cp1252 = [32]rune{
	'€', 0x81, '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', 0x8D, 'Ž', 0x8F,
	0x90, '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', 0x9D, 'ž', 'Ÿ',
}

func windows1252Step(dst, src []byte, _ bool) (nd, ns int) {
	for ns < len(src) && nd+3 <= len(dst) {
		c := src[ns]
		ns++
		switch {
		case c < 0x80:
			dst[nd] = c
			nd++
		case c < 0xA0:
			nd += utf8.EncodeRune(dst[nd:], cp1252[c-0x80])
		default:
			nd += utf8.EncodeRune(dst[nd:], rune(c))
		}
	}
	return nd, ns
}

// looksWindows1252 reports whether b, which is not UTF-8, can be
// Windows-1252 text: no byte the code page leaves undefined. Shift-JIS and
// most other multi-byte encodings use those bytes often.
func looksWindows1252(b []byte) bool {
	for _, c := range b {
		switch c {
		case 0x81, 0x8D, 0x8F, 0x90, 0x9D:
			return false
		}
	}
	return true
}

// validUTF8Prefix reports whether b is UTF-8, allowing a rune cut short at
// its end when more follows.
func validUTF8Prefix(b []byte, more bool) bool {
	if utf8.Valid(b) {
		return true
	}
	if !more {
		return false
	}
	for cut := 1; cut < utf8.UTFMax && cut <= len(b); cut++ {
		if utf8.Valid(b[:len(b)-cut]) {
			return !utf8.FullRune(b[len(b)-cut:])
		}
	}
	return false
}

// errRecordTooLong is what limitReader returns once a record passes the
// limit; CSVReader turns it into an error naming the line.
var errRecordTooLong = errors.New("record too long")

// limitReader stops feeding the CSV parser once the current record (which
// starts at start) has passed max bytes plus slack, the parser's read-ahead,
// so an unclosed quote or a file with no newline cannot fill memory.
type limitReader struct {
	src      io.Reader
	supplied int64
	start    int64
	max      int64
	// nonASCII is set once a byte above 0x7F has been supplied: until
	// then no record can be invalid UTF-8, and CSVReader skips checking.
	nonASCII bool
}

func (l *limitReader) Read(p []byte) (int, error) {
	allowed := l.start + l.max - l.supplied
	if allowed <= 0 {
		return 0, errRecordTooLong
	}
	if int64(len(p)) > allowed {
		p = p[:allowed]
	}
	n, err := l.src.Read(p)
	l.supplied += int64(n)
	if !l.nonASCII && !isASCII(p[:n]) {
		l.nonASCII = true
	}
	return n, err
}

// isASCII reports whether b has no byte above 0x7F, eight bytes at a time.
func isASCII(b []byte) bool {
	for len(b) >= 8 {
		if binary.LittleEndian.Uint64(b)&0x8080808080808080 != 0 {
			return false
		}
		b = b[8:]
	}
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}
