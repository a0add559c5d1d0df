package pmml

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/scoregate/scoregate"
)

// renderTokens reads every token next gives, one a line, in a form that
// shows names with their namespace, attributes, and decoded text; the
// scanner's tokens and encoding/xml's go through it alike.
func renderTokens(next func() (xml.Token, error)) (string, error) {
	var b strings.Builder
	name := func(n xml.Name) string {
		if n.Space == "" {
			return n.Local
		}
		return "{" + n.Space + "}" + n.Local
	}
	for {
		tok, err := next()
		if err == io.EOF {
			return b.String(), nil
		}
		if err != nil {
			return b.String(), err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			b.WriteString("<" + name(t.Name))
			for _, a := range t.Attr {
				fmt.Fprintf(&b, " %s=%q", name(a.Name), a.Value)
			}
			b.WriteString(">\n")
		case xml.EndElement:
			b.WriteString("</" + name(t.Name) + ">\n")
		case xml.CharData:
			fmt.Fprintf(&b, "text %q\n", t)
		case xml.Comment:
			fmt.Fprintf(&b, "comment %q\n", t)
		case xml.ProcInst:
			fmt.Fprintf(&b, "pi %s %q\n", t.Target, t.Inst)
		case xml.Directive:
			fmt.Fprintf(&b, "directive %q\n", t)
		}
	}
}

// scanRender renders r as the parser reads it, through a scanner buffer
// of the given size (0: the default). A small buffer cuts tokens anywhere
// and makes it grow, so that every rescan path runs.
func scanRender(r io.Reader, buffer int) (string, error) {
	p := newParser(r, Limits{MaxBytes: 1 << 40, MaxDepth: 1 << 30})
	if buffer > 0 {
		p.sc.buf = make([]byte, buffer)
	}
	return renderTokens(p.next)
}

func TestScanTokens(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("0123456789abcdef", 20000) // past the initial buffer
	tests := []struct{ name, doc, want string }{
		{"self-closing with both quote kinds", `<a x="1" y='2"'/>`, "<a x=\"1\" y=\"2\\\"\">\n</a>\n"},
		{"white space inside tags", "<a\n\tx = \"1\"\r\n/><b ></b >", "<a x=\"1\">\n</a>\n<b>\n</b>\n"},
		{"predefined entities and character references",
			`<a v="&lt;&gt;&amp;&quot;&apos;">&#65;&#x42;&#x1F600;&amp;amp;</a>`,
			"<a v=\"<>&\\\"'\">\ntext \"AB😀&amp;\"\n</a>\n"},
		{"CDATA kept apart from text", `<a>x<![CDATA[<b>&amp;]]]]></a>`, "<a>\ntext \"x\"\ntext \"<b>&amp;]]\"\n</a>\n"},
		{"line ends normalized, other white space kept", "<a v=\"1\r\n\t2\r3\">l1\r\nl2\rl3</a>",
			"<a v=\"1\\n\\t2\\n3\">\ntext \"l1\\nl2\\nl3\"\n</a>\n"},
		{"declaration, comments and processing instructions",
			"<?xml version=\"1.0\" encoding='utf-8' standalone=\"yes\"?>\n<!-- a - b --><?pi some data?><a/><!---->",
			"pi xml \"version=\\\"1.0\\\" encoding='utf-8' standalone=\\\"yes\\\"\"\ntext \"\\n\"\ncomment \" a - b \"\npi pi \"some data\"\n<a>\n</a>\ncomment \"\"\n"},
		{"DOCTYPE passed over, its entities not declared",
			`<!DOCTYPE PMML [<!ENTITY x "y>"> <!-- c -->]><PMML/>`,
			"directive \"DOCTYPE PMML [<!ENTITY x \\\"y>\\\">  ]\"\n<PMML>\n</PMML>\n"},
		{"byte order mark and text around the root passed on", "\ufeff<a/>\n", "text \"\\ufeff\"\n<a>\n</a>\ntext \"\\n\"\n"},
		{"default namespace, prefixes, unbound prefix, xml prefix",
			`<PMML xmlns="urn:p" xmlns:d="urn:d"><d:row xml:lang="en" d:x="1" y="2"/><u:e/><E xmlns="">t</E></PMML>`,
			"<{urn:p}PMML xmlns=\"urn:p\" {xmlns}d=\"urn:d\">\n" +
				"<{urn:d}row {http://www.w3.org/XML/1998/namespace}lang=\"en\" {urn:d}x=\"1\" y=\"2\">\n</{urn:d}row>\n" +
				"<{u}e>\n</{u}e>\n<E xmlns=\"\">\ntext \"t\"\n</E>\n</{urn:p}PMML>\n"},
		{"a prefix rebound inside, restored after", `<p:a xmlns:p="urn:1"><p:b xmlns:p="urn:2"/><p:c/></p:a>`,
			"<{urn:1}a {xmlns}p=\"urn:1\">\n<{urn:2}b {xmlns}p=\"urn:2\">\n</{urn:2}b>\n<{urn:1}c>\n</{urn:1}c>\n</{urn:1}a>\n"},
		{"ISO-8859-1", "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a v=\"\xe9\">Besan\xe7on</a>",
			"pi xml \"version=\\\"1.0\\\" encoding=\\\"ISO-8859-1\\\"\"\n<a v=\"é\">\ntext \"Besançon\"\n</a>\n"},
		{"tokens longer than the buffer", `<a v="` + long + `">` + long + `</a>`,
			fmt.Sprintf("<a v=%q>\ntext %q\n</a>\n", long, long)},
		{"non-ASCII names", `<ñame ü="1"/>`, "<ñame ü=\"1\">\n</ñame>\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			// Through small buffers and short reads too: every token must
			// survive being cut anywhere by the end of the data read so far.
			for _, buffer := range []int{0, 1, 5, 16} {
				for how, r := range map[string]io.Reader{
					"whole": strings.NewReader(tt.doc), "one byte": iotest.OneByteReader(strings.NewReader(tt.doc)),
					"halves": iotest.HalfReader(strings.NewReader(tt.doc)),
				} {
					got, err := scanRender(r, buffer)
					if err != nil || got != tt.want {
						t.Errorf("%s, buffer %d: tokens =\n%s(err %v); want\n%s", how, buffer, got, err, tt.want)
					}
				}
			}
		})
	}
}

func TestScanErrors(t *testing.T) {
	t.Parallel()
	attrs := strings.Repeat(` a="1"`, 17)
	for i := range 17 {
		attrs = strings.Replace(attrs, ` a=`, fmt.Sprintf(` a%d=`, i), 1)
	}
	tests := []struct {
		name, doc string
		line      int
		msg       string
	}{
		{"mismatched end tag", "<a>\n<b>\n</a>", 3, "element <b> closed by </a>"},
		{"same name, other prefix", "<x:a xmlns:x=\"u\" xmlns:y=\"u\">\n</y:a>", 2, "element <a> in space x closed by </a> in space y"},
		{"unclosed at the end", "<a>\n<b>\n", 3, "unexpected EOF"},
		{"cut inside a tag", "<a>\n<b x=\"1", 2, "unexpected EOF"},
		{"end tag without start", "<a/>\n</b>", 2, "unexpected end element </b>"},
		{"duplicate attribute", "<a x=\"1\"\n x='2'/>", 2, "attribute x appears twice in element <a>"},
		{"duplicate among many attributes", "<a" + attrs + ` a3="2"/>`, 1, "attribute a3 appears twice"},
		{"attributes run together", `<a x="1"y="2"/>`, 1, "attribute y in element <a> is not separated"},
		{"< in an attribute value", "<a\nx=\"<\"/>", 2, "unescaped < inside quoted string"},
		{"unquoted value", `<a x=1/>`, 1, "unquoted or missing attribute value"},
		{"attribute without value", `<a x/>`, 1, "attribute name without = in element"},
		{"name starting with a digit", `<1a/>`, 1, "invalid XML name: 1a"},
		{"invalid non-ASCII name", "<a\u00d7b/>", 1, "invalid XML name: a×b"},
		{"no element name", `< a/>`, 1, "expected element name after <"},
		{"two colons", `<a:b:c/>`, 1, "expected element name after <"},
		{"no end tag name", `<a></ a>`, 1, "expected element name after </"},
		{"junk in an end tag", `<a></a b>`, 1, "invalid characters between </a and >"},
		{"slash inside a tag", `<a/ >`, 1, "expected /> in element"},
		{"no attribute name", `<a ="1"/>`, 1, "expected attribute name in element"},
		{"undefined entity", "<a>\n&nbsp;</a>", 2, "invalid character entity &nbsp;"},
		{"entity without semicolon", `<a>&amp </a>`, 1, "invalid character entity &amp (no semicolon)"},
		{"NUL by reference", `<a>&#0;</a>`, 1, "invalid character entity &#0;"},
		{"surrogate by reference", `<a x="&#xD800;"/>`, 1, "invalid character entity &#xD800;"},
		{"reference past Unicode", `<a>&#x110000;</a>`, 1, "invalid character entity &#x110000;"},
		{"reference without digits", `<a>&#;</a>`, 1, "invalid character entity &#;"},
		{"]]> in text", "<a>\n]]></a>", 2, "unescaped ]]> not in CDATA section"},
		{"invalid UTF-8 in text", "<a>\xff</a>", 1, "invalid UTF-8"},
		{"invalid UTF-8 in a value", "<a x=\"\xc3\"/>", 1, "invalid UTF-8"},
		{"control character", "<a>\x01</a>", 1, "illegal character code U+0001"},
		{"NUL, which once passed for the end of text", "\x00<a/>", 1, "illegal character code U+0000"},
		{"non-character", "<a>\uffff</a>", 1, "illegal character code U+FFFF"},
		{"unterminated CDATA", "<a><![CDATA[x\n", 2, "unexpected EOF in CDATA section"},
		{"bad <![ sequence", `<a><![CDATX[x]]></a>`, 1, "invalid <![ sequence"},
		{"-- in a comment", "<!-- a -- b -->", 1, `invalid sequence "--" not allowed in comments`},
		{"<!- not a comment", "<!-x>", 1, "invalid sequence <!- not part of <!--"},
		{"processing instruction without target", "<? x?>", 1, "expected target name after <?"},
		{"late XML declaration", "<a/>\n<?xml version=\"1.0\"?>", 2, "must be at the start"},
		{"malformed XML declaration", `<?xml version=1.0?>`, 1, "malformed XML declaration"},
		{"DOCTYPE after the root", "<a/><!DOCTYPE a>", 1, "unexpected <!DOCTYPE>"},
		{"other declaration", "<!ENTITY x 'y'><a/>", 1, "unexpected <!ENTITY>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for _, buffer := range []int{0, 1, 3} {
				got, err := scanRender(iotest.OneByteReader(strings.NewReader(tt.doc)), buffer)
				var se *syntaxError
				if !errors.As(err, &se) {
					t.Fatalf("buffer %d: tokens %q, error %v; want a syntax error", buffer, got, err)
				}
				if se.line != tt.line || !strings.Contains(se.msg, tt.msg) {
					t.Errorf("buffer %d: error at line %d: %q; want line %d: %q", buffer, se.line, se.msg, tt.line, tt.msg)
				}
			}
		})
	}
}

// TestScanDeclarationErrors checks the errors that are about what the
// declaration asks, not about well-formedness: they keep the messages
// encoding/xml gave them.
func TestScanDeclarationErrors(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, doc, msg string }{
		{"XML 1.1", "<?xml version=\"1.1\"?>\n<a/>", `invalid PMML at line 1: unsupported version "1.1"; only version 1.0 is supported`},
		{"unknown encoding", "\n<?xml version=\"1.0\" encoding=\"EBCDIC\"?><a/>",
			`invalid PMML at line 2: opening charset "EBCDIC": encoding "EBCDIC" is not supported; save the document as UTF-8`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := scanRender(strings.NewReader(tt.doc), 0)
			var e *scoregate.Error
			if !errors.As(err, &e) || e.Code != scoregate.CodeInvalidModel || e.Message != tt.msg {
				t.Errorf("error %v; want InvalidModel %q", err, tt.msg)
			}
		})
	}
}

// TestScanReadError checks that a failing reader's error comes back as
// it is, and stays.
func TestScanReadError(t *testing.T) {
	t.Parallel()
	broken := errors.New("disk on fire")
	s := newScanner(io.MultiReader(strings.NewReader("<a><b/>"), iotest.ErrReader(broken)))
	var err error
	for err == nil {
		_, err = s.next()
	}
	if _, again := s.next(); err != broken || again != broken {
		t.Errorf("errors %v, %v; want %v twice", err, again, broken)
	}
}

// TestParserElementsOutlive checks the promise Compile builds on: an
// element handed out stays as it was while later ones are read, and
// appending to its attributes does not write into another's.
func TestParserElementsOutlive(t *testing.T) {
	t.Parallel()
	p := newParser(strings.NewReader(`<r><a x="1.5" y="k"/><b x="2.5" z="&amp;"/><c/></r>`), DefaultLimits())
	if _, err := p.prolog(); err != nil {
		t.Fatal(err)
	}
	var kept []xml.StartElement
	if err := p.children(func(se xml.StartElement) error {
		kept = append(kept, se)
		return p.skip()
	}); err != nil {
		t.Fatal(err)
	}
	_ = append(kept[0].Attr, xml.Attr{Value: "clobber"})
	var got []string
	for _, se := range kept {
		for _, a := range se.Attr {
			got = append(got, se.Name.Local+"."+a.Name.Local+"="+a.Value)
		}
	}
	if want := "a.x=1.5 a.y=k b.x=2.5 b.z=&"; strings.Join(got, " ") != want {
		t.Errorf("kept attributes %q; want %q", got, want)
	}
}

// ScanForBenchmark is the token loop of BenchmarkScan, which lives in
// bench_test.go beside the forest generator. Mode "tokens" runs the bare
// scanner; "skip" passes over the root element as Inspect passes over
// model bodies; "deliver" hands out every element with its attributes, as
// Compile reads a body. It returns the number of elements.
func ScanForBenchmark(data []byte, mode string) (int, error) {
	p := newParser(bytes.NewReader(data), DefaultLimits())
	elements := 0
	if mode == "tokens" {
		for {
			k, err := p.sc.next()
			if err == io.EOF {
				return elements, nil
			} else if err != nil {
				return elements, err
			}
			if k == tokStart {
				elements++
			}
		}
	}
	if _, err := p.prolog(); err != nil {
		return 0, err
	}
	if mode == "skip" {
		return 1, p.skip()
	}
	var walk func(xml.StartElement) error
	walk = func(se xml.StartElement) error {
		elements++
		for _, a := range se.Attr {
			if a.Value == "\x00" {
				return fmt.Errorf("impossible value in %s", se.Name.Local)
			}
		}
		return p.children(walk)
	}
	return elements + 1, p.children(walk)
}
