package pmml

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/scoregate/scoregate/fixtures"
)

// xmlRender renders data as encoding/xml reads it, configured as the
// parser used to configure it: strict, with charsetReader.
func xmlRender(data []byte) (string, error) {
	d := xml.NewDecoder(bytes.NewReader(data))
	d.CharsetReader = charsetReader
	return renderTokens(d.Token)
}

// diffXML compares the scanner's tokens with encoding/xml's on a
// document both accept.
func diffXML(t *testing.T, data []byte) {
	t.Helper()
	want, err := xmlRender(data)
	if err != nil {
		t.Fatalf("encoding/xml: %v", err)
	}
	got, err := scanRender(bytes.NewReader(data), 0)
	if err != nil {
		t.Fatalf("scanner: %v", err)
	}
	if small, err := scanRender(bytes.NewReader(data), 1); small != got || err != nil {
		t.Fatalf("scanner with a small buffer: error %v or other tokens", err)
	}
	if got != want {
		g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
		for i := range min(len(g), len(w)) {
			if g[i] != w[i] {
				t.Fatalf("token %d: scanner %s; encoding/xml %s", i, g[i], w[i])
			}
		}
		t.Fatalf("scanner read %d tokens, encoding/xml %d", len(g), len(w))
	}
}

// scanCorpusModels returns the corpus models, found as corpus_test.go's
// corpusDir finds them (it lives in the external test package); none, with
// a note, when the corpus is absent.
func scanCorpusModels(t *testing.T) []string {
	t.Helper()
	dir := os.Getenv("SCOREGATE_PMML_CORPUS")
	if dir == "" {
		dir = filepath.Join("..", "..", "..", "shared", "pmml-corpus")
	}
	paths, _ := filepath.Glob(filepath.Join(dir, "*", "model.pmml"))
	if len(paths) == 0 {
		t.Logf("no PMML corpus at %s, so only the fixtures are compared; set SCOREGATE_PMML_CORPUS to its folder", dir)
	}
	return paths
}

// TestScanMatchesEncodingXML reads every corpus model and fixture with
// both tokenizers: same elements, names, namespaces, attributes, decoded
// text, comments and processing instructions, in the same order.
func TestScanMatchesEncodingXML(t *testing.T) {
	t.Parallel()
	docs := map[string][]byte{"fixtures/DemoModel": fixtures.DemoModel, "fixtures/DemoModelV2": fixtures.DemoModelV2}
	for _, path := range scanCorpusModels(t) {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		docs[filepath.Base(filepath.Dir(path))] = data
	}
	for name, data := range docs {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			diffXML(t, data)
		})
	}
}

// FuzzScan reads arbitrary documents with the scanner and encoding/xml.
// The scanner must never panic; where both accept a document they must
// give the same tokens; and it must refuse what encoding/xml refuses,
// except where encoding/xml is wrong: names with non-ASCII characters (it
// uses the tables of XML's fourth edition, the scanner the fifth's) and
// XML declarations (it reads them loosely, the scanner by the grammar).
func FuzzScan(f *testing.F) {
	for _, seed := range [][]byte{fixtures.DemoModel, fixtures.DemoModelV2} {
		f.Add(seed)
	}
	for _, seed := range []string{
		`<a x="1" y='2'/>`, "<a\n\tx = \"1\"\r\n/><b ></b >",
		`<a v="&lt;&gt;&amp;&quot;&apos;">&#65;&#x42;&#x1F600;</a>`,
		`<a>x<![CDATA[<b>&amp;]]]]></a>`, "<a v=\"1\r\n\t2\r3\">l1\r\nl2\rl3</a>",
		"<?xml version=\"1.0\" encoding='utf-8'?>\n<!-- a - b --><?pi data?><a/>",
		`<!DOCTYPE PMML [<!ENTITY x "y>"> <!-- c -->]><PMML/>`, "\ufeff<a/>\n",
		`<PMML xmlns="urn:p" xmlns:d="urn:d"><d:row xml:lang="en" d:x="1"/><u:e/><E xmlns="">t</E></PMML>`,
		"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a v=\"\xe9\">\xe7</a>",
		"<a>\n<b>\n</a>", `<a x="1"y="2"/>`, `<a>&nbsp;</a>`, "<a><![CDATA[x", "<!-- a -- b -->", "\x00",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := scanRender(bytes.NewReader(data), 0)
		want, xmlErr := xmlRender(data)
		switch {
		case err == nil && xmlErr == nil && got != want:
			t.Fatalf("tokens differ:\nscanner\n%sencoding/xml\n%s", got, want)
		case err == nil && xmlErr != nil && !hasHighBytes(data) && !bytes.Contains(data, []byte("<?xml")):
			t.Fatalf("scanner accepts what encoding/xml refuses (%v):\n%s", xmlErr, got)
		}
		// The same through the smallest buffer and reads, which cut every
		// token and grow the buffer.
		small, smallErr := scanRender(iotest.OneByteReader(bytes.NewReader(data)), 1)
		if small != got || fmt.Sprint(smallErr) != fmt.Sprint(err) {
			t.Fatalf("byte by byte: %q, %v; whole: %q, %v", small, smallErr, got, err)
		}
	})
}

func hasHighBytes(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return true
		}
	}
	return false
}
