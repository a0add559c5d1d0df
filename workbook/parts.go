package workbook

import (
	"archive/zip"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
)

// Errors a Reader returns, wrapped with what was being read.
var (
	ErrNotXLSX       = errors.New("not an XLSX file")
	ErrMissingPart   = errors.New("missing part")
	ErrSheetNotFound = errors.New("sheet not found")
	ErrTooLarge      = errors.New("exceeds limit")
	ErrMalformed     = errors.New("malformed")
)

const (
	relOfficeDocument = "/officeDocument"
	relSharedStrings  = "/sharedStrings"
	relStyles         = "/styles"
)

// pkg is the zip container with case-insensitive part lookup (OPC part
// names are case-insensitive) and a per-part decompression limit.
type pkg struct {
	parts map[string]*zip.File
	limit int64
}

func openPackage(r io.ReaderAt, size int64, limit int64) (*pkg, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, fmt.Errorf("workbook: %w: %w", ErrNotXLSX, err)
	}
	p := &pkg{parts: make(map[string]*zip.File, len(zr.File)), limit: limit}
	for _, f := range zr.File {
		p.parts[strings.ToLower(strings.TrimPrefix(f.Name, "/"))] = f
	}
	return p, nil
}

// open returns a reader of the part's decompressed bytes that fails with
// ErrTooLarge past the limit, whatever the zip header claims.
func (p *pkg) open(name string) (io.ReadCloser, error) {
	f, ok := p.parts[strings.ToLower(name)]
	if !ok {
		return nil, fmt.Errorf("workbook: %w %s", ErrMissingPart, name)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("workbook: open %s: %w", name, err)
	}
	return &limitedPart{rc: rc, name: name, left: p.limit, limit: p.limit}, nil
}

func (p *pkg) has(name string) bool {
	_, ok := p.parts[strings.ToLower(name)]
	return ok
}

type limitedPart struct {
	rc    io.ReadCloser
	name  string
	left  int64
	limit int64
}

func (l *limitedPart) Read(b []byte) (int, error) {
	if l.left <= 0 {
		// One byte more tells a part of exactly the limit from a larger one.
		var one [1]byte
		n, err := l.rc.Read(one[:])
		if n > 0 {
			return 0, fmt.Errorf("part %s: decompressed size %w of %d bytes", l.name, ErrTooLarge, l.limit)
		}
		return 0, err
	}
	if int64(len(b)) > l.left {
		b = b[:l.left]
	}
	n, err := l.rc.Read(b)
	l.left -= int64(n)
	if err != nil && err != io.EOF {
		err = fmt.Errorf("read %s: %w", l.name, err)
	}
	return n, err
}

func (l *limitedPart) Close() error { return l.rc.Close() }

// decodeXML decodes a small part (workbook, relationships, styles) with
// encoding/xml; only the sheet and shared strings are large enough to need
// the byte scanner.
func (p *pkg) decodeXML(name string, v any) error {
	rc, err := p.open(name)
	if err != nil {
		return err
	}
	defer rc.Close()
	if err := xml.NewDecoder(rc).Decode(v); err != nil {
		if errors.Is(err, ErrTooLarge) {
			return fmt.Errorf("workbook: %w", err)
		}
		return fmt.Errorf("workbook: %s %w: %w", name, ErrMalformed, err)
	}
	return nil
}

type xRelationships struct {
	Rels []struct {
		ID         string `xml:"Id,attr"`
		Type       string `xml:"Type,attr"`
		Target     string `xml:"Target,attr"`
		TargetMode string `xml:"TargetMode,attr"`
	} `xml:"Relationship"`
}

// rels reads the relationships of part name; a missing rels part is empty.
func (p *pkg) rels(name string) (map[string]string, map[string]string, error) {
	dir, file := path.Split(name)
	relsName := dir + "_rels/" + file + ".rels"
	byID, byType := map[string]string{}, map[string]string{}
	if !p.has(relsName) {
		return byID, byType, nil
	}
	var x xRelationships
	if err := p.decodeXML(relsName, &x); err != nil {
		return nil, nil, err
	}
	for _, r := range x.Rels {
		if strings.EqualFold(r.TargetMode, "External") {
			continue
		}
		target := r.Target
		if strings.HasPrefix(target, "/") {
			target = strings.TrimPrefix(target, "/")
		} else {
			target = path.Join(dir, target)
		}
		byID[r.ID] = target
		for _, suffix := range []string{relOfficeDocument, relSharedStrings, relStyles} {
			if strings.HasSuffix(r.Type, suffix) {
				if _, dup := byType[suffix]; !dup {
					byType[suffix] = target
				}
			}
		}
	}
	return byID, byType, nil
}

type xWorkbook struct {
	WorkbookPr struct {
		Date1904 string `xml:"date1904,attr"`
	} `xml:"workbookPr"`
	Sheets struct {
		Sheet []struct {
			Name  string     `xml:"name,attr"`
			Attrs []xml.Attr `xml:",any,attr"`
		} `xml:"sheet"`
	} `xml:"sheets"`
}

type sheetRef struct{ name, part string }

// workbookInfo is what OpenReader learns from the workbook part and its
// relationships.
type workbookInfo struct {
	sheets        []sheetRef
	date1904      bool
	sharedStrings string
	styles        string
}

func (p *pkg) workbook() (*workbookInfo, error) {
	_, rootRels, err := p.rels("")
	if err != nil {
		return nil, err
	}
	wbName, ok := rootRels[relOfficeDocument]
	if !ok {
		wbName = "xl/workbook.xml"
	}
	if !p.has(wbName) {
		return nil, fmt.Errorf("workbook: %w %s (is this an XLSX file?)", ErrMissingPart, wbName)
	}
	var wb xWorkbook
	if err := p.decodeXML(wbName, &wb); err != nil {
		return nil, err
	}
	byID, byType, err := p.rels(wbName)
	if err != nil {
		return nil, err
	}
	dir := path.Dir(wbName)
	info := &workbookInfo{
		date1904:      wb.WorkbookPr.Date1904 == "1" || strings.EqualFold(wb.WorkbookPr.Date1904, "true"),
		sharedStrings: byType[relSharedStrings],
		styles:        byType[relStyles],
	}
	if info.sharedStrings == "" {
		info.sharedStrings = path.Join(dir, "sharedStrings.xml")
	}
	if info.styles == "" {
		info.styles = path.Join(dir, "styles.xml")
	}
	for _, s := range wb.Sheets.Sheet {
		var part string
		for _, a := range s.Attrs {
			if a.Name.Local == "id" && a.Name.Space != "" {
				part = byID[a.Value]
			}
		}
		info.sheets = append(info.sheets, sheetRef{name: s.Name, part: part})
	}
	return info, nil
}

type xStyleSheet struct {
	NumFmts struct {
		NumFmt []struct {
			ID   string `xml:"numFmtId,attr"`
			Code string `xml:"formatCode,attr"`
		} `xml:"numFmt"`
	} `xml:"numFmts"`
	CellXfs struct {
		Xf []struct {
			NumFmtID string `xml:"numFmtId,attr"`
		} `xml:"xf"`
	} `xml:"cellXfs"`
}

// dateStyles returns, per cellXfs index, whether the style's number format
// shows a date or time. A workbook without a styles part has none.
func (p *pkg) dateStyles(name string) ([]bool, error) {
	if !p.has(name) {
		return nil, nil
	}
	var ss xStyleSheet
	if err := p.decodeXML(name, &ss); err != nil {
		return nil, err
	}
	custom := make(map[string]string, len(ss.NumFmts.NumFmt))
	for _, f := range ss.NumFmts.NumFmt {
		custom[strings.TrimSpace(f.ID)] = f.Code
	}
	isDate := make([]bool, len(ss.CellXfs.Xf))
	for i, xf := range ss.CellXfs.Xf {
		id := strings.TrimSpace(xf.NumFmtID)
		if code, ok := custom[id]; ok {
			isDate[i] = isDateFormat(code)
		} else {
			isDate[i] = isBuiltinDateFormat(id)
		}
	}
	return isDate, nil
}
