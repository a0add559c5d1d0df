package pmml

import (
	"bytes"
	"fmt"
	"io"
	"strings"
)

// bang scans what follows "<!": a comment, a CDATA section or a DOCTYPE.
func (s *scanner) bang(i int) (tokenKind, int, error) {
	b := s.buf[:s.end]
	if i == len(b) {
		return tokNone, 0, s.short(i)
	}
	switch b[i] {
	case '-':
		if i+1 == len(b) {
			return tokNone, 0, s.short(i + 1)
		}
		if b[i+1] != '-' {
			return tokNone, 0, s.errorAt(i+1, "invalid sequence <!- not part of <!--")
		}
		return s.comment(i + 2)
	case '[':
		const open = "CDATA["
		n := min(len(open), len(b)-i-1)
		if string(b[i+1:i+1+n]) != open[:n] {
			return tokNone, 0, s.errorAt(i+1, "invalid <![ sequence")
		}
		if n < len(open) {
			return tokNone, 0, s.short(len(b))
		}
		return s.cdataSection(i + 1 + n)
	}
	return s.doctype(i)
}

// comment scans a comment whose content begins at i.
func (s *scanner) comment(i int) (tokenKind, int, error) {
	b := s.buf[:s.end]
	k := bytes.Index(b[i:], []byte("--"))
	if k < 0 || i+k+2 == len(b) {
		return tokNone, 0, s.short(len(b))
	}
	if k += i; b[k+2] != '>' {
		return tokNone, 0, s.errorAt(k+2, `invalid sequence "--" not allowed in comments`)
	}
	s.text = bufSpan{i, k}
	return tokComment, k + 3, nil
}

// cdataSection scans a CDATA section whose content begins at i.
func (s *scanner) cdataSection(i int) (tokenKind, int, error) {
	b := s.buf[:s.end]
	k := bytes.Index(b[i:], []byte("]]>"))
	if k < 0 {
		if s.eof {
			return tokNone, 0, s.errorAt(len(b), "unexpected EOF in CDATA section")
		}
		return tokNone, 0, errMore
	}
	k += i
	dirty := false
	for j := i; j < k; {
		if c := b[j]; byteClass[c]&stopsQuot == 0 || c == '"' || c == '<' || c == '&' {
			j++
		} else if c == '\r' {
			j, dirty = j+1, true
		} else {
			n, err := s.char(b[:k], j, false)
			if err != nil {
				return tokNone, 0, err
			}
			j += n
		}
	}
	s.text, s.dirty, s.cdata = bufSpan{i, k}, dirty, true
	return tokText, k + 3, nil
}

// procInst scans a processing instruction whose target begins at i, just
// after "<?". The XML declaration is one: it may switch the encoding.
func (s *scanner) procInst(i int) (tokenKind, int, error) {
	j, _, _, err := s.name(i)
	if err == errNoName {
		return tokNone, 0, s.errorAt(i, "expected target name after <?")
	} else if err != nil {
		return tokNone, 0, err
	}
	b := s.buf[:s.end]
	k := s.spaces(j)
	e := bytes.Index(b[k:], []byte("?>"))
	if e < 0 {
		return tokNone, 0, s.short(len(b))
	}
	e += k
	s.text, s.target = bufSpan{k, e}, s.internBytes(b[i:j])
	if s.target == "xml" {
		if err := s.declaration(b[k:e], e+2); err != nil {
			return tokNone, 0, err
		}
	}
	return tokProcInst, e + 2, nil
}

// declaration applies the XML declaration decl, which ends at end. It must
// come first (after a byte order mark or white space, which encoding/xml
// let through and some exporters write), since an encoding declared later
// would apply to half a document. Only XML 1.0 is read, as encoding/xml
// did; other encodings than UTF-8 go through charsetReader.
func (s *scanner) declaration(decl []byte, end int) error {
	if s.markup {
		return s.errorAt(end, "the XML declaration <?xml ...?> must be at the start of the document")
	}
	var version, encoding string
	for rest := decl; ; {
		rest = bytes.TrimLeft(rest, " \t\r\n")
		if len(rest) == 0 {
			break
		}
		name, value, after, ok := pseudoAttr(rest)
		if !ok {
			return s.errorAt(end, "malformed XML declaration <?xml %s?>", decl)
		}
		switch name {
		case "version":
			version = value
		case "encoding":
			encoding = value
		}
		rest = after
	}
	line := s.line() + bytes.Count(s.buf[s.pos:end], newlineBytes)
	if version != "" && version != "1.0" {
		return invalidf(line, "unsupported version %q; only version 1.0 is supported", version)
	}
	if encoding == "" || strings.EqualFold(encoding, "utf-8") {
		return nil
	}
	rest := bytes.Clone(s.buf[end:s.end])
	r, err := charsetReader(encoding, io.MultiReader(bytes.NewReader(rest), s.src))
	if err != nil {
		return invalidf(line, "opening charset %q: %v", encoding, err)
	}
	s.src, s.end, s.eof = r, end, false
	return nil
}

// pseudoAttr splits name="value" (or 'value') off the start of b.
func pseudoAttr(b []byte) (name, value string, rest []byte, ok bool) {
	eq := bytes.IndexByte(b, '=')
	if eq <= 0 {
		return "", "", nil, false
	}
	name = string(bytes.TrimRight(b[:eq], " \t\r\n"))
	b = bytes.TrimLeft(b[eq+1:], " \t\r\n")
	if len(b) == 0 || b[0] != '"' && b[0] != '\'' {
		return "", "", nil, false
	}
	end := bytes.IndexByte(b[1:], b[0])
	if end < 0 {
		return "", "", nil, false
	}
	return name, string(b[1 : 1+end]), b[end+2:], true
}

// doctype scans a "<!" declaration whose keyword begins at i. Only a
// DOCTYPE before the root element is accepted, and it is passed over:
// entities it declares are never expanded (a reference to one fails as an
// unknown entity), and external DTDs are never fetched. Its body is kept
// as encoding/xml gives it, with each comment replaced by a space.
func (s *scanner) doctype(i int) (tokenKind, int, error) {
	b := s.buf[:s.end]
	s.directive = s.directive[:0]
	from, depth, quote := i, 0, byte(0)
	k := i
	for ; ; k++ {
		if k == len(b) {
			return tokNone, 0, s.short(k)
		}
		c := b[k]
		if quote == 0 && c == '>' && depth == 0 {
			break
		}
		switch {
		case c == quote:
			quote = 0
		case quote != 0:
		case c == '"' || c == '\'':
			quote = c
		case c == '>':
			depth--
		case c == '<':
			if k+4 > len(b) {
				return tokNone, 0, s.short(len(b))
			}
			if string(b[k+1:k+4]) != "!--" {
				depth++
				continue
			}
			e := bytes.Index(b[k+4:], []byte("-->"))
			if e < 0 {
				return tokNone, 0, s.short(len(b))
			}
			s.directive = append(append(s.directive, b[from:k]...), ' ')
			k += 4 + e + 2
			from = k + 1
		}
	}
	s.directive = append(s.directive, b[from:k]...)
	keyword := s.directive
	if n := bytes.IndexAny(keyword, " \t\r\n"); n >= 0 {
		keyword = keyword[:n]
	}
	if s.root || string(keyword) != "DOCTYPE" {
		return tokNone, 0, s.errorAt(k, "unexpected <!%.20s>: only a DOCTYPE may begin with <!, and only before the root element", keyword)
	}
	return tokDirective, k + 1, nil
}

// charsetReader lets a document declare ISO-8859-1, which older exporters
// write, or US-ASCII, besides UTF-8 (which the scanner reads itself).
func charsetReader(label string, r io.Reader) (io.Reader, error) {
	switch strings.ToLower(label) {
	case "utf8", "us-ascii", "ascii":
		return r, nil
	case "iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "l1":
		return &latin1{r: r}, nil
	}
	return nil, fmt.Errorf("encoding %q is not supported; save the document as UTF-8", label)
}

// latin1 converts ISO-8859-1 to UTF-8 a block at a time: bytes from 0x80
// become two bytes. A byte read into a one-byte space leaves its second
// half pending.
type latin1 struct {
	r       io.Reader
	raw     []byte
	pending byte
	has     bool
}

func (l *latin1) Read(b []byte) (int, error) {
	n := 0
	if l.has && len(b) > 0 {
		b[0], l.has, n = l.pending, false, 1
	}
	if n == len(b) {
		return n, nil
	}
	want := max(1, (len(b)-n)/2)
	if len(l.raw) < want {
		l.raw = make([]byte, min(max(want, 4<<10), 64<<10))
	}
	m, err := l.r.Read(l.raw[:min(want, len(l.raw))])
	for _, c := range l.raw[:m] {
		switch {
		case c < 0x80:
			b[n] = c
			n++
		case n+1 < len(b):
			b[n], b[n+1] = 0xc0|c>>6, 0x80|c&0x3f
			n += 2
		default:
			b[n], l.pending, l.has = 0xc0|c>>6, 0x80|c&0x3f, true
			n++
		}
	}
	return n, err
}
