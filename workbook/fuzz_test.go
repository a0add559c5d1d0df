package workbook

import (
	"bytes"
	"math"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// byteSource hands out fuzz input a few bytes at a time, then zeros.
type byteSource struct{ b []byte }

func (s *byteSource) byte() byte {
	if len(s.b) == 0 {
		return 0
	}
	c := s.b[0]
	s.b = s.b[1:]
	return c
}

func (s *byteSource) bytes(n int) []byte {
	n = min(n, len(s.b))
	out := s.b[:n]
	s.b = s.b[n:]
	return out
}

func (s *byteSource) uint64() uint64 {
	var v uint64
	for range 8 {
		v = v<<8 | uint64(s.byte())
	}
	return v
}

// FuzzReaderMatchesExcelize builds a workbook from the input with excelize
// (regular API on one sheet, StreamWriter on another) and a hand-written one
// (see handSheet), reads them with Reader and with excelize, and compares
// every cell.
func FuzzReaderMatchesExcelize(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11})
	f.Add([]byte("\x02\x05a&b<c\x01\x03\x04\x06\x07\x08hello\nworld\x09\x0a"))
	f.Add(bytes.Repeat([]byte{3, 200, 17, 42, 1, 0x7f}, 20))
	f.Fuzz(func(t *testing.T, in []byte) {
		src := &byteSource{b: in}
		x := excelize.NewFile()
		defer x.Close()
		dateFmt, quotedFmt := "dd/mm/yyyy hh:mm:ss", `"ymd "0.0`
		styles := []int{0}
		for _, s := range []*excelize.Style{{NumFmt: 14}, {NumFmt: 22}, {CustomNumFmt: &dateFmt}, {CustomNumFmt: &quotedFmt}, {NumFmt: 2}} {
			id, err := x.NewStyle(s)
			if err != nil {
				t.Fatal(err)
			}
			styles = append(styles, id)
		}
		isDateStyle := map[int]bool{styles[1]: true, styles[2]: true, styles[3]: true}
		if _, err := x.NewSheet("Streamed"); err != nil {
			t.Fatal(err)
		}
		dates := map[string]bool{}
		row, col := 1, 0
		sw, err := x.NewStreamWriter("Streamed")
		if err != nil {
			t.Fatal(err)
		}
		var streamRow []any
		streamRowNum := 1
		for n := 0; len(src.b) > 0 && n < 200; n++ {
			op := src.byte()
			// Position: move right, or down to a new row, sometimes skipping.
			if op&0x80 != 0 {
				row += 1 + int(op>>5&3)
				col = 0
			} else {
				col += 1 + int(op>>5&1)*int(src.byte()%40)
			}
			ref, _ := excelize.CoordinatesToCellName(col+1, row)
			style := styles[int(src.byte())%len(styles)]
			var v any
			switch op & 0x0f {
			case 0, 1:
				fv := math.Float64frombits(src.uint64())
				if math.IsNaN(fv) || math.IsInf(fv, 0) {
					fv = float64(int64(src.uint64()))
				}
				err = x.SetCellFloat("Sheet1", ref, fv, -1, 64)
				v = fv
			case 2:
				iv := int64(src.uint64())
				err = x.SetCellInt("Sheet1", ref, iv)
				v = iv
			case 3, 4:
				s := string(src.bytes(int(src.byte() % 24)))
				err = x.SetCellStr("Sheet1", ref, s)
				v = s
			case 5:
				b := src.byte()&1 == 1
				err = x.SetCellBool("Sheet1", ref, b)
				v = b
			case 6:
				tm := time.Date(1901+int(src.byte()), time.Month(1+src.byte()%12), 1+int(src.byte()%28), int(src.byte()%24), int(src.byte()%60), 0, 0, time.UTC)
				err = x.SetCellValue("Sheet1", ref, tm)
				style = -1 // excelize chose a date style
				v = tm
			case 7:
				runs := []excelize.RichTextRun{{Text: string(src.bytes(int(src.byte() % 8)))}, {Text: string(src.bytes(int(src.byte() % 8)))}}
				err = x.SetCellRichText("Sheet1", ref, runs)
				v = runs
			case 8:
				v = excelize.Cell{Formula: "1+1", Value: string(src.bytes(int(src.byte() % 12)))}
			default:
				// leave a styled or plain empty cell
				v = nil
			}
			if err != nil {
				return // excelize refused the value (too long, bad reference)
			}
			if style >= 0 && op&0x0f != 8 {
				if err := x.SetCellStyle("Sheet1", ref, ref, style); err != nil {
					t.Fatal(err)
				}
			}
			switch vv := v.(type) {
			case float64, int64:
				if isDateStyle[style] {
					dates[ref] = true
				}
			case time.Time:
				dates[ref] = true
				_ = vv
			}
			// Mirror into the streamed sheet, one row per eight values.
			streamRow = append(streamRow, v)
			if len(streamRow) == 8 || op&0x40 != 0 {
				cellRef, _ := excelize.CoordinatesToCellName(1+int(op&3), streamRowNum)
				if err := sw.SetRow(cellRef, streamRow); err != nil {
					t.Fatal(err)
				}
				streamRow = streamRow[:0]
				streamRowNum += 1 + int(op>>4&1)
			}
		}
		if err := sw.Flush(); err != nil {
			t.Fatal(err)
		}
		data := saveExcelize(t, x)
		compareWithExcelize(t, data, "Sheet1", dates)
		compareWithExcelize(t, data, "Streamed", streamDates(t, data))

		// The same input drives a hand-written sheet in the XML dialects
		// excelize does not write.
		sheet, sst, handDates := handSheet(&byteSource{b: in})
		compareWithExcelize(t, handZip(t, handWorkbookParts(sheet, sst)), "Data", handDates)
	})
}

// streamDates returns the cells of the Streamed sheet excelize styled as
// dates (the StreamWriter picks format 22 for time values).
func streamDates(t *testing.T, data []byte) map[string]bool {
	t.Helper()
	x, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	rows, err := x.GetRows("Streamed")
	if err != nil {
		t.Fatal(err)
	}
	dates := map[string]bool{}
	for r, row := range rows {
		for c := range row {
			ref, _ := excelize.CoordinatesToCellName(c+1, r+1)
			id, err := x.GetCellStyle("Streamed", ref)
			if err != nil || id == 0 {
				continue
			}
			st, err := x.GetStyle(id)
			if err == nil && st.NumFmt == 22 {
				dates[ref] = true
			}
		}
	}
	return dates
}

// FuzzReaderBytes feeds arbitrary bytes as the whole file and as the sheet
// XML inside a valid package; the reader must fail cleanly, never panic.
func FuzzReaderBytes(f *testing.F) {
	f.Add([]byte(sheetXML(`<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1"><v>1.5</v></c></row>`)))
	f.Add([]byte(`<sheetData><x:row r="2"><x:c r="C2" t="inlineStr"><x:is><x:t>a&amp;b</x:t></x:is></x:c></x:row><row/><c/></sheetData>`))
	f.Add([]byte(`<sheetData><row><c t="e"><v>#N/A</v></c><c t="b"><v>1</v></c><c t="str"><f>x</f><v><![CDATA[q]]></v></c></row>`))
	f.Add([]byte("PK\x03\x04garbage"))
	f.Fuzz(func(t *testing.T, in []byte) {
		drain := func(data []byte) {
			rd, err := OpenReader(bytes.NewReader(data), int64(len(data)), ReaderOptions{MaxUnzippedBytes: 1 << 20})
			if err != nil {
				return
			}
			defer rd.Close()
			for rd.Next() {
				for i, c := range rd.Row() {
					if c.Col != i {
						t.Fatalf("Row()[%d].Col = %d", i, c.Col)
					}
					_ = c.Text()
				}
			}
		}
		drain(in)
		sst := `<sst><si><t>a</t></si><si><r><t>b</t></r></si></sst>`
		drain(handZip(t, handWorkbookParts(string(in), sst)))
		drain(handZip(t, handWorkbookParts(sheetXML(`<row><c t="s"><v>0</v></c></row>`), string(in))))
	})
}
