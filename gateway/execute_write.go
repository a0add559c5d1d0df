package gateway

import (
	"encoding/json"
	"math"
	"strconv"
	"sync"
	"unicode/utf8"

	"github.com/scoregate/scoregate"
)

// Response bodies are written by hand into pooled buffers: encoding/json
// would reflect over [][]any for every cell.
var buffers = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

func getBuffer() *[]byte { return buffers.Get().(*[]byte) }

// putBuffer returns a buffer to the pool unless it grew large (a big
// response should not pin its memory).
func putBuffer(b *[]byte) {
	if cap(*b) <= 1<<20 {
		buffers.Put(b)
	}
}

// appendTable writes the table-format response: ColumnNames, ColumnTypes
// and Values, every cell a string as classic returned them (missing
// values as null). With echo, the request's columns come first, with
// their cells as sent.
func appendTable(b []byte, x *schemaIndex, in *parsedInput, outs [][]scoregate.Value, echo bool) []byte {
	b = append(b, `{"Results":{"output1":{"type":"table","value":{"ColumnNames":[`...)
	n := 0
	comma := func() {
		if n > 0 {
			b = append(b, ',')
		}
		n++
	}
	if echo {
		for _, c := range in.columns {
			comma()
			b = appendJSONString(b, c)
		}
	}
	for _, c := range x.outNames {
		comma()
		b = appendJSONString(b, c)
	}
	b = append(b, `],"ColumnTypes":[`...)
	n = 0
	if echo {
		for _, f := range in.fields {
			comma()
			t := "String"
			if f >= 0 {
				t = x.inTypes[f]
			}
			b = appendJSONString(b, t)
		}
	}
	for _, t := range x.outTypes {
		comma()
		b = appendJSONString(b, t)
	}
	b = append(b, `],"Values":[`...)
	for i, out := range outs {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '[')
		n = 0
		if echo {
			for _, cell := range in.cells[i] {
				comma()
				b = appendCellText(b, cell)
			}
		}
		for _, v := range out {
			comma()
			if v.Kind == scoregate.KindMissing || v.Kind == scoregate.KindInvalid {
				b = append(b, "null"...)
				continue
			}
			b = appendJSONString(b, v.String())
		}
		b = append(b, ']')
	}
	return append(b, "]}}}}"...)
}

// appendRecords writes the records-format response: one object per row,
// with typed values (numbers, booleans, strings, null). With echo, each
// record's members come first, as sent.
func appendRecords(b []byte, x *schemaIndex, in *parsedInput, outs [][]scoregate.Value, echo bool) []byte {
	b = append(b, `{"Results":{"output1":[`...)
	for i, out := range outs {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '{')
		n := 0
		if echo {
			for _, m := range in.records[i] {
				if n > 0 {
					b = append(b, ',')
				}
				n++
				b = appendJSONString(b, m.name)
				b = append(b, ':')
				b = append(b, m.value...)
			}
		}
		for j, v := range out {
			if n > 0 {
				b = append(b, ',')
			}
			n++
			b = appendJSONString(b, x.outNames[j])
			b = append(b, ':')
			b = appendTyped(b, v, x.outKinds[j])
		}
		b = append(b, '}')
	}
	return append(b, "]}}"...)
}

// appendTyped writes a value as the JSON type of its field.
func appendTyped(b []byte, v scoregate.Value, k fieldKind) []byte {
	switch v.Kind {
	case scoregate.KindMissing, scoregate.KindInvalid:
		return append(b, "null"...)
	case scoregate.KindBool:
		return strconv.AppendBool(b, v.Num != 0)
	case scoregate.KindNumber:
		if k == kindText {
			return appendJSONString(b, v.String())
		}
		if math.IsNaN(v.Num) || math.IsInf(v.Num, 0) {
			return append(b, "null"...)
		}
		return strconv.AppendFloat(b, v.Num, 'g', -1, 64)
	}
	if k == kindNumber {
		if f, ok := v.Float(); ok && !math.IsNaN(f) && !math.IsInf(f, 0) {
			return strconv.AppendFloat(b, f, 'g', -1, 64)
		}
	}
	return appendJSONString(b, v.String())
}

// appendCellText echoes a request cell in the table format: strings as
// they were, other scalars as their JSON text in a string, null as null.
func appendCellText(b []byte, raw json.RawMessage) []byte {
	if len(raw) == 0 || isNull(raw) {
		return append(b, "null"...)
	}
	if raw[0] == '"' {
		return append(b, raw...)
	}
	return appendJSONString(b, string(raw))
}

const hexDigits = "0123456789abcdef"

// appendJSONString writes s as a JSON string: quotes, backslashes and
// control characters escaped, <, > and & too (as encoding/json does, so a
// response is safe to embed in HTML), invalid UTF-8 replaced by U+FFFD.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i++
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
