package workbook

import (
	"archive/zip"
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/klauspost/compress/flate"
)

// spillAt is how much compressed sheet a Writer keeps in memory before it
// moves it to a temporary file.
const spillAt = 1 << 20

// spill holds bytes in memory up to spillAt, then in a temporary file.
type spill struct {
	dir  string
	mem  bytes.Buffer
	file *os.File
	fbuf *bufio.Writer // over file: the compressor writes in small pieces
	n    int64
}

func (s *spill) Write(p []byte) (int, error) {
	if s.file == nil && s.mem.Len()+len(p) > spillAt {
		f, err := os.CreateTemp(s.dir, "scoregate-sheet-*.deflate")
		if err != nil {
			return 0, err
		}
		s.file, s.fbuf = f, bufio.NewWriterSize(f, 256<<10)
		if _, err := s.fbuf.Write(s.mem.Bytes()); err != nil {
			return 0, err
		}
		s.mem = bytes.Buffer{}
	}
	s.n += int64(len(p))
	if s.file != nil {
		return s.fbuf.Write(p)
	}
	return s.mem.Write(p)
}

// reader returns the bytes written so far, from their start.
func (s *spill) reader() (io.Reader, error) {
	if s.file == nil {
		return bytes.NewReader(s.mem.Bytes()), nil
	}
	if err := s.fbuf.Flush(); err != nil {
		return nil, err
	}
	if _, err := s.file.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	return s.file, nil
}

// remove deletes the temporary file, if any.
func (s *spill) remove() {
	if s.file != nil {
		s.file.Close()
		os.Remove(s.file.Name())
		s.file = nil
	}
	s.mem = bytes.Buffer{}
}

// Close ends the current row, if any, and writes the whole XLSX package to
// the underlying writer, which it does not close. It removes the temporary
// file whatever happens, so it is to be called after an error too (it then
// returns that error and writes nothing). Calling it again does nothing.
func (w *Writer) Close() error {
	if w.closed {
		return w.err
	}
	if w.err == nil && w.inRow {
		w.EndRow()
	}
	w.closed = true
	defer w.body.remove()
	if w.err != nil {
		return w.err
	}
	w.buf = append(w.buf, "</sheetData></worksheet>"...)
	w.compress()
	if w.err == nil {
		if err := w.fw.Close(); err != nil {
			w.err = fmt.Errorf("workbook: compress the sheet: %w", err)
		}
	}
	if w.err == nil {
		w.err = w.writePackage()
	}
	w.buf = nil
	return w.err
}

// Discard abandons the file: it removes the temporary file and writes
// nothing more. Writes after it fail; Close after it returns
// ErrWriterClosed. It does nothing after Close.
func (w *Writer) Discard() {
	if w.closed {
		return
	}
	w.closed = true
	if w.err == nil {
		w.err = ErrWriterClosed
	}
	w.body.remove()
	w.buf = nil
}

// zipTime is the modification time of every part, fixed so that the same
// rows make the same file.
var zipTime = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)

func (w *Writer) writePackage() error {
	zw := zip.NewWriter(w.out)
	level := w.level
	zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(out, level)
	})
	var name bytes.Buffer
	name.WriteString(`<sheet name="`)
	name.Write(appendEscaped(nil, w.sheet, false))
	name.WriteString(`" sheetId="1" r:id="rId1"/>`)
	parts := []struct{ name, body string }{
		{"[Content_Types].xml", contentTypesXML},
		{"_rels/.rels", rootRelsXML},
		{"xl/workbook.xml", workbookHead + name.String() + workbookTail},
		{"xl/_rels/workbook.xml.rels", workbookRelsXML},
		{"xl/styles.xml", stylesXML},
	}
	for _, p := range parts {
		pw, err := zw.CreateHeader(&zip.FileHeader{Name: p.name, Method: zip.Deflate, Modified: zipTime})
		if err != nil {
			return fmt.Errorf("workbook: write %s: %w", p.name, err)
		}
		if _, err := io.WriteString(pw, p.body); err != nil {
			return fmt.Errorf("workbook: write %s: %w", p.name, err)
		}
	}

	// The sheet's head, compressed on its own and ended with a sync flush
	// (byte-aligned, not final), then the rows' deflate stream: a valid
	// deflate stream whose matches never reach back into the head.
	head := w.sheetHead()
	var zhead bytes.Buffer
	fw, err := flate.NewWriter(&zhead, w.level)
	if err != nil {
		return err
	}
	if _, err := fw.Write(head); err != nil {
		return err
	}
	if err := fw.Flush(); err != nil {
		return err
	}
	fh := &zip.FileHeader{
		Name:     "xl/worksheets/sheet1.xml",
		Method:   zip.Deflate,
		Modified: zipTime,
		//lint:ignore SA1019 CreateRaw does not derive the MS-DOS fields from Modified
		ModifiedDate:       1<<5 | 1, // 1980-01-01
		CRC32:              crc32Combine(crc32.ChecksumIEEE(head), w.crc, w.size),
		CompressedSize64:   uint64(zhead.Len()) + uint64(w.body.n),
		UncompressedSize64: uint64(len(head)) + uint64(w.size),
	}
	pw, err := zw.CreateRaw(fh)
	if err != nil {
		return fmt.Errorf("workbook: write the sheet: %w", err)
	}
	if _, err := pw.Write(zhead.Bytes()); err != nil {
		return fmt.Errorf("workbook: write the sheet: %w", err)
	}
	body, err := w.body.reader()
	if err != nil {
		return fmt.Errorf("workbook: read back the sheet: %w", err)
	}
	if n, err := io.Copy(pw, body); err != nil || n != w.body.n {
		if err == nil {
			err = errors.New("temporary file shorter than written")
		}
		return fmt.Errorf("workbook: write the sheet: %w", err)
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("workbook: finish the file: %w", err)
	}
	return nil
}

// sheetHead returns the sheet's XML before its rows: the dimension, and a
// frozen header row when there is one.
func (w *Writer) sheetHead() []byte {
	b := []byte(sheetHeadXML)
	b = append(b, `<dimension ref="A1`...)
	if w.maxCol > 1 || w.maxRow > 1 {
		b = append(b, ':')
		b = appendColumn(b, max(w.maxCol, 1)-1)
		b = strconv.AppendInt(b, int64(max(w.maxRow, 1)), 10)
	}
	b = append(b, `"/>`...)
	if w.header {
		b = append(b, `<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>`...)
	}
	b = append(b, `<sheetFormatPr defaultRowHeight="15"/><sheetData>`...)
	return b
}

// crc32Combine returns the CRC-32 (IEEE) of the concatenation of two byte
// strings from their CRCs and the second's length, as zlib's
// crc32_combine: appending len2 zero bytes to the first is a linear map,
// applied by repeated squaring of the one-zero-bit operator.
func crc32Combine(crc1, crc2 uint32, len2 int64) uint32 {
	if len2 <= 0 {
		return crc1
	}
	var even, odd [32]uint32
	odd[0] = crc32.IEEE
	row := uint32(1)
	for n := 1; n < 32; n++ {
		odd[n] = row
		row <<= 1
	}
	gf2Square(&even, &odd) // two zero bits
	gf2Square(&odd, &even) // four zero bits
	for {
		gf2Square(&even, &odd)
		if len2&1 != 0 {
			crc1 = gf2Times(&even, crc1)
		}
		len2 >>= 1
		if len2 == 0 {
			break
		}
		gf2Square(&odd, &even)
		if len2&1 != 0 {
			crc1 = gf2Times(&odd, crc1)
		}
		len2 >>= 1
		if len2 == 0 {
			break
		}
	}
	return crc1 ^ crc2
}

func gf2Times(mat *[32]uint32, vec uint32) uint32 {
	var sum uint32
	for i := 0; vec != 0; i, vec = i+1, vec>>1 {
		if vec&1 != 0 {
			sum ^= mat[i]
		}
	}
	return sum
}

func gf2Square(square, mat *[32]uint32) {
	for n := range 32 {
		square[n] = gf2Times(mat, mat[n])
	}
}

const (
	contentTypesXML = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>`
	rootRelsXML = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`
	workbookHead = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><bookViews><workbookView/></bookViews><sheets>`
	workbookTail    = `</sheets></workbook>`
	workbookRelsXML = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>`
	// The cellXfs are, in order, styleDefault, styleHeader, styleDate and
	// styleDateTime.
	stylesXML = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font><font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/><xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="22" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>`
	sheetHeadXML = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">`
)
