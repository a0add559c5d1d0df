package workbook

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// handSheet writes, from fuzz input, a sheet and shared string table in the
// dialects excelize's writer never produces but other producers do: element
// prefixes, single quotes, attributes in any order, missing r attributes,
// error and formula cells, entities, character references, CDATA and
// whitespace between elements. It returns the parts and the cells expected
// to be dates (style 1 and 2 of handStyles are date formats).
func handSheet(src *byteSource) (sheet, sst string, dates map[string]bool) {
	flags := src.byte()
	p := ""
	if flags&1 != 0 {
		p = "x:"
	}
	var sb, ss strings.Builder
	nsAttr := `xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"`
	if p != "" {
		nsAttr = `xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"`
	}
	// The shared strings: a few items, some as rich text runs.
	nStrings := 1 + int(src.byte()%4)
	fmt.Fprintf(&ss, `<?xml version="1.0"?><%ssst %s>`, p, nsAttr)
	for range nStrings {
		if src.byte()&1 == 0 {
			fmt.Fprintf(&ss, `<%[1]ssi><%[1]st xml:space="preserve">%[2]s</%[1]st></%[1]ssi>`, p, xmlText(src))
		} else {
			fmt.Fprintf(&ss, `<%[1]ssi><%[1]sr><%[1]st>%[2]s</%[1]st></%[1]sr><%[1]sr><%[1]srPr/><%[1]st>%[3]s</%[1]st></%[1]sr></%[1]ssi>`, p, xmlText(src), xmlText(src))
		}
	}
	fmt.Fprintf(&ss, `</%ssst>`, p)

	dates = map[string]bool{}
	fmt.Fprintf(&sb, `<?xml version="1.0"?><%sworksheet %s><%ssheetData>`, p, nsAttr, p)
	row := 0
	for len(src.b) > 0 && row < 40 {
		op := src.byte()
		row += 1 + int(op&1)
		rowAttr := fmt.Sprintf(` r=%s`, quote(strconv.Itoa(row), op&2 != 0))
		if op&4 != 0 && row == 1 {
			rowAttr = "" // counted: the first row
		}
		if op&8 != 0 {
			fmt.Fprintf(&sb, `<%srow%s/>`, p, rowAttr)
			continue
		}
		fmt.Fprintf(&sb, "<%srow%s spans='1:5'>%s", p, rowAttr, space(op&16 != 0))
		col := 0
		for nCells := int(src.byte() % 6); nCells > 0; nCells-- {
			cop := src.byte()
			col += 1 + int(cop>>6)
			ref, _ := excelize.CoordinatesToCellName(col, row)
			style := int(cop>>4&3) % 3
			q := cop&8 != 0
			attrs := []string{" r=" + quote(ref, q)}
			if cop&4 != 0 && col == 1 {
				attrs = nil // counted: the first cell
			}
			if style != 0 {
				attrs = append(attrs, " s="+quote(strconv.Itoa(style), q))
			}
			var body string
			switch cop & 7 {
			case 0:
				v := math.Float64frombits(src.uint64())
				if math.IsNaN(v) || math.IsInf(v, 0) {
					v = float64(src.byte())
				}
				body = fmt.Sprintf("<%[1]sv>%[2]s</%[1]sv>", p, strconv.FormatFloat(v, 'g', -1, 64))
				if style != 0 {
					dates[ref] = true
				}
			case 1:
				attrs = append(attrs, " t="+quote("s", q))
				body = fmt.Sprintf("<%[1]sv>%[2]d</%[1]sv>", p, int(src.byte())%nStrings)
			case 2:
				attrs = append(attrs, " t="+quote("str", q))
				body = fmt.Sprintf("<%[1]sf>A1&amp;\"x\"</%[1]sf><%[1]sv>%[2]s</%[1]sv>", p, xmlText(src))
			case 3:
				attrs = append(attrs, " t="+quote("inlineStr", q))
				body = fmt.Sprintf("<%[1]sis><%[1]st>%[2]s</%[1]st></%[1]sis>", p, xmlText(src))
			case 4:
				attrs = append(attrs, " t="+quote("b", q))
				body = fmt.Sprintf("<%[1]sv>%[2]d</%[1]sv>", p, src.byte()&1)
			case 5:
				attrs = append(attrs, " t="+quote("e", q))
				body = fmt.Sprintf("<%[1]sf>1/0</%[1]sf><%[1]sv>%[2]s</%[1]sv>", p, excelErrors[int(src.byte())%7])
			default:
				body = "" // self-closing, styled or not
			}
			if len(attrs) > 1 && cop&1 != 0 {
				attrs[0], attrs[len(attrs)-1] = attrs[len(attrs)-1], attrs[0]
			}
			if body == "" {
				fmt.Fprintf(&sb, "<%sc%s/>", p, strings.Join(attrs, ""))
			} else {
				fmt.Fprintf(&sb, "<%[1]sc%[2]s>%[3]s%[4]s</%[1]sc>", p, strings.Join(attrs, ""), body, space(cop&32 != 0))
			}
		}
		fmt.Fprintf(&sb, "</%srow>\n", p)
	}
	fmt.Fprintf(&sb, `</%[1]ssheetData><%[1]smergeCells count="1"><%[1]smergeCell ref="AA1000:AB1000"/></%[1]smergeCells></%[1]sworksheet>`, p)
	return sb.String(), ss.String(), dates
}

func quote(v string, single bool) string {
	if single {
		return "'" + v + "'"
	}
	return `"` + v + `"`
}

func space(on bool) string {
	if on {
		return "\n  "
	}
	return ""
}

// xmlText returns up to 12 characters from the input as XML character data,
// each written as itself, as an entity or character reference, or inside a
// CDATA section.
func xmlText(src *byteSource) string {
	var sb strings.Builder
	n := int(src.byte() % 12)
	for range n {
		mode := src.byte()
		r := rune(src.byte())
		if mode&1 != 0 {
			r = r<<8 | rune(src.byte())
		}
		if !isXMLChar(r) {
			r = 'a' + r%26
		}
		switch mode >> 5 {
		case 0:
			fmt.Fprintf(&sb, "&#%d;", r)
		case 1:
			fmt.Fprintf(&sb, "&#x%X;", r)
		case 2:
			if r == ']' || r == '\r' {
				sb.WriteRune(r)
			} else {
				fmt.Fprintf(&sb, "<![CDATA[%c]]>", r)
			}
		default:
			switch r {
			case '&':
				sb.WriteString("&amp;")
			case '<':
				sb.WriteString("&lt;")
			case '>':
				sb.WriteString("&gt;")
			case '"':
				sb.WriteString("&quot;")
			case '\'':
				sb.WriteString("&apos;")
			default:
				sb.WriteRune(r)
			}
		}
	}
	return sb.String()
}

func isXMLChar(r rune) bool {
	return r == '\t' || r == '\n' || r == '\r' || (r >= 0x20 && r <= 0xD7FF) || (r >= 0xE000 && r <= 0xFFFD) && utf8.ValidRune(r)
}
