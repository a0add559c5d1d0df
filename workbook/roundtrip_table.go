package workbook

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

// rtTable is what RoundTrip needs of a table part (an Excel ListObject).
type rtTable struct {
	part                   string // the part's name in the package, as the zip spells it
	name                   string
	x1, y1, x2, y2         int // the range: 0-based columns, 1-based rows
	headerRows, totalsRows int
	columns                []string // the tableColumn names
	maxID                  int      // the largest tableColumn id
}

// headerRow returns the sheet row of the table's header, 0 when it has
// none.
func (t *rtTable) headerRow() int {
	if t.headerRows == 0 {
		return 0
	}
	return t.y1
}

type rtXTable struct {
	Name           string `xml:"name,attr"`
	DisplayName    string `xml:"displayName,attr"`
	Ref            string `xml:"ref,attr"`
	HeaderRowCount *int   `xml:"headerRowCount,attr"`
	TotalsRowCount int    `xml:"totalsRowCount,attr"`
	Columns        []struct {
		ID   int    `xml:"id,attr"`
		Name string `xml:"name,attr"`
	} `xml:"tableColumns>tableColumn"`
}

// findTable returns the table of the worksheet part sheet whose name is
// name (compared case-insensitively, as Excel does), or nil.
func (p *pkg) findTable(sheet, name string) (*rtTable, error) {
	dir, file := path.Split(sheet)
	relsName := dir + "_rels/" + file + ".rels"
	if !p.has(relsName) {
		return nil, nil
	}
	var rels xRelationships
	if err := p.decodeXML(relsName, &rels); err != nil {
		return nil, err
	}
	for _, r := range rels.Rels {
		if !strings.HasSuffix(r.Type, "/table") || strings.EqualFold(r.TargetMode, "External") {
			continue
		}
		part := path.Join(dir, r.Target)
		if strings.HasPrefix(r.Target, "/") {
			part = strings.TrimPrefix(r.Target, "/")
		}
		zf := p.parts[strings.ToLower(part)]
		if zf == nil {
			continue
		}
		var x rtXTable
		if err := p.decodeXML(part, &x); err != nil {
			return nil, err
		}
		if !strings.EqualFold(x.Name, name) && !strings.EqualFold(x.DisplayName, name) {
			continue
		}
		t := &rtTable{part: strings.ReplaceAll(zf.Name, "\\", "/"), name: x.DisplayName, headerRows: 1, totalsRows: x.TotalsRowCount}
		if t.name == "" {
			t.name = x.Name
		}
		if x.HeaderRowCount != nil {
			t.headerRows = min(max(*x.HeaderRowCount, 0), 1)
		}
		var err error
		if t.x1, t.y1, t.x2, t.y2, err = rtParseRange(x.Ref); err != nil {
			return nil, fmt.Errorf("workbook: table %q: %w: %w", t.name, ErrMalformed, err)
		}
		for _, c := range x.Columns {
			t.columns = append(t.columns, c.Name)
			t.maxID = max(t.maxID, c.ID)
		}
		return t, nil
	}
	return nil, nil
}

// rtParseRange parses "B2:F10" into 0-based columns and 1-based rows.
func rtParseRange(ref string) (x1, y1, x2, y2 int, err error) {
	from, to, ok := strings.Cut(ref, ":")
	if !ok {
		to = from
	}
	if x1, y1, err = excelize.CellNameToCoordinates(from); err != nil {
		return
	}
	if x2, y2, err = excelize.CellNameToCoordinates(to); err != nil {
		return
	}
	return min(x1, x2) - 1, min(y1, y2), max(x1, x2) - 1, max(y1, y2), nil
}

func rtFormatRange(x1, y1, x2, y2 int) string {
	return ColumnName(x1) + strconv.Itoa(y1) + ":" + ColumnName(x2) + strconv.Itoa(y2)
}

// resize rewrites the table part in f to end at column x2 (0-based) and
// row y2, adding a tableColumn for each of cols (the header texts of the
// columns past the table's last). excelize can add and delete tables but
// not resize one, and deleting and adding again would lose what excelize
// does not model (calculated columns, column formats, the table's id); so
// the part's XML is edited in place: the ref of the table and of its
// autoFilter, and the tableColumns.
func (t *rtTable) resize(f *excelize.File, x2, y2 int, cols []string) error {
	var key string
	var data []byte
	f.Pkg.Range(func(k, v any) bool {
		if s, ok := k.(string); ok && strings.EqualFold(s, t.part) {
			key, data = s, v.([]byte)
			return false
		}
		return true
	})
	if data == nil {
		return fmt.Errorf("workbook: table part %s: %w", t.part, ErrMissingPart)
	}
	ref := rtFormatRange(t.x1, t.y1, x2, y2)
	filterRef := rtFormatRange(t.x1, t.y1, x2, y2-t.totalsRows)
	out, err := rtEditTableXML(data, ref, filterRef, len(t.columns), t.maxID+1, cols)
	if err != nil {
		return fmt.Errorf("workbook: table %q: %w", t.name, err)
	}
	f.Pkg.Store(key, out)
	return nil
}

// rtEditTableXML copies a table part of count columns, setting the ref of
// <table> and of its <autoFilter>, and adding a <tableColumn> for each of
// names, numbered from firstID. Every other byte is kept as it was.
func rtEditTableXML(data []byte, ref, filterRef string, count, firstID int, names []string) ([]byte, error) {
	d := xml.NewDecoder(bytes.NewReader(data))
	out := make([]byte, 0, len(data)+64*len(names)+32)
	copied, depth := 0, 0
	prefix := "" // of tableColumns, for the columns added
	for {
		start := int(d.InputOffset())
		tok, err := d.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
		}
		end := int(d.InputOffset())
		switch tok := tok.(type) {
		case xml.StartElement:
			depth++
			var set map[string]string
			switch {
			case depth == 1 && tok.Name.Local == "table":
				set = map[string]string{"ref": ref}
			case depth == 2 && tok.Name.Local == "autoFilter":
				set = map[string]string{"ref": filterRef}
			case depth == 2 && tok.Name.Local == "tableColumns":
				set = map[string]string{"count": strconv.Itoa(count + len(names))}
				if tok.Name.Space != "" {
					prefix = tok.Name.Space + ":"
				}
			}
			if set != nil {
				out = append(out, data[copied:start]...)
				out = rtAppendStartTag(out, tok, set, bytes.HasSuffix(data[start:end], []byte("/>")))
				copied = end
			}
		case xml.EndElement:
			if depth == 2 && tok.Name.Local == "tableColumns" && start < end {
				out = append(out, data[copied:start]...)
				for i, name := range names {
					var esc bytes.Buffer
					_ = xml.EscapeText(&esc, []byte(name))
					out = fmt.Appendf(out, `<%stableColumn id="%d" name="%s"/>`, prefix, firstID+i, esc.Bytes())
				}
				copied = start
			}
			depth--
		}
	}
	return append(out, data[copied:]...), nil
}

// rtAppendStartTag writes a start tag read by RawToken (prefixes as written)
// with the attributes in set replaced.
func rtAppendStartTag(out []byte, tok xml.StartElement, set map[string]string, selfClose bool) []byte {
	qname := func(n xml.Name) string {
		if n.Space == "" {
			return n.Local
		}
		return n.Space + ":" + n.Local
	}
	var b bytes.Buffer
	b.WriteByte('<')
	b.WriteString(qname(tok.Name))
	for _, a := range tok.Attr {
		v := a.Value
		if a.Name.Space == "" {
			if nv, ok := set[a.Name.Local]; ok {
				v = nv
			}
		}
		b.WriteByte(' ')
		b.WriteString(qname(a.Name))
		b.WriteString(`="`)
		xml.EscapeText(&b, []byte(v))
		b.WriteByte('"')
	}
	if selfClose {
		b.WriteByte('/')
	}
	b.WriteByte('>')
	return append(out, b.Bytes()...)
}
