package batch

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"math"
	"testing"

	"github.com/scoregate/scoregate"
)

func TestAppendNumberIsFormatNumber(t *testing.T) {
	t.Parallel()
	for _, f := range []float64{0, 1, -1, 0.25, 1.0 / 3, 1e15, 1e15 - 1, 123456789012345, 1e21, 1e-7, -2.5e-300, math.MaxFloat64,
		math.SmallestNonzeroFloat64, math.Inf(1), math.Inf(-1), math.NaN(), math.Copysign(0, -1)} {
		if got, want := string(AppendNumber(nil, f)), scoregate.FormatNumber(f); got != want {
			t.Errorf("AppendNumber(%v) = %q, FormatNumber %q", f, got, want)
		}
	}
}

// TestCSVWriterQuotesAsEncodingCSV writes tricky cells with CSVWriter and
// with encoding/csv, which must agree byte for byte.
func TestCSVWriterQuotesAsEncodingCSV(t *testing.T) {
	t.Parallel()
	cells := []string{"", "plain", "a,b", "a;b", "a\tb", "a|b", `say "hi"`, "two\nlines", "cr\r\nlf", "lone\rcr",
		" lead", "\tlead", "\u00a0nbsp", "trail ", `\.`, "é§ü", "x§y"}
	for _, f := range []CSVFormat{{Comma: ','}, {Comma: ';', CRLF: true}, {Comma: '\t'}, {Comma: '|'}, {Comma: '§'}} {
		var got, want bytes.Buffer
		w := NewCSVWriter(&got, f)
		if err := w.WriteHeader(cells, []string{"out"}); err != nil {
			t.Fatal(err)
		}
		if err := w.WriteRow(cells, []scoregate.Value{scoregate.Text("a" + string(f.Comma) + "b")}, errors.New(`bad "x"`)); err != nil {
			t.Fatal(err)
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		cw := csv.NewWriter(&want)
		cw.Comma, cw.UseCRLF = f.Comma, f.CRLF
		cw.Write(append(append([]string(nil), cells...), "out", ErrorsColumn))
		cw.Write(append(append([]string(nil), cells...), "a"+string(f.Comma)+"b", `bad "x"`))
		cw.Flush()
		if got.String() != want.String() {
			t.Errorf("delimiter %q CRLF %v:\n got %q\nwant %q", f.Comma, f.CRLF, got.String(), want.String())
		}
		if w.BytesWritten() != int64(got.Len()) {
			t.Errorf("BytesWritten %d, wrote %d", w.BytesWritten(), got.Len())
		}
	}
}

func TestCSVWriterValues(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	w := NewCSVWriter(&b, CSVFormat{Comma: ',', BOM: true})
	w.WriteHeader([]string{"in"}, []string{"n", "label", "b", "m", "s"})
	w.WriteRow([]string{"1"}, []scoregate.Value{scoregate.Float(0.1), {Kind: scoregate.KindNumber, Num: 1, Str: "1.0"},
		scoregate.Bool(true), {}, scoregate.Text("x")}, nil)
	w.WriteRow([]string{"2"}, make([]scoregate.Value, 5), errors.New("no"))
	w.Flush()
	want := "\uFEFFin,n,label,b,m,s,Errors\n1,0.1,1.0,true,,x,\n2,,,,,,no\n"
	if b.String() != want {
		t.Errorf("got %q\nwant %q", b.String(), want)
	}
}

func TestCSVWriterAllocs(t *testing.T) {
	w := NewCSVWriter(io.Discard, CSVFormat{Comma: ','})
	in := []string{"1.5", "abc", "x,y"}
	out := []scoregate.Value{scoregate.Float(0.123456789), scoregate.Float(3), {Kind: scoregate.KindNumber, Num: 1, Str: "c1"}}
	if n := testing.AllocsPerRun(1000, func() { w.WriteRow(in, out, nil) }); n != 0 {
		t.Errorf("WriteRow allocates %v times", n)
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestCSVWriterError(t *testing.T) {
	t.Parallel()
	w := NewCSVWriter(failWriter{}, CSVFormat{})
	w.WriteHeader([]string{"a"}, nil)
	if err := w.Flush(); err == nil {
		t.Fatal("Flush did not fail")
	}
	if err := w.WriteRow([]string{"1"}, nil, nil); err == nil {
		t.Error("WriteRow after a failed write did not fail")
	}
}
