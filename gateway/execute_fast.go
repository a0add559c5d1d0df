package gateway

import (
	"bytes"
	"encoding/json"
)

// fastTable reads a table-format request without encoding/json's
// reflection: it walks the body (which json.Valid accepted) and returns
// the column names and the raw cells, which alias body. ok is false for
// anything unusual (another input name, global parameters, escaped keys,
// a row that is not an array, a null where an array belongs): the caller
// then decodes with encoding/json, which gives the precise error or
// reading. Keys match without regard to case, as encoding/json matches
// them.
func fastTable(body []byte, sc *scratch) (columns [][]byte, values [][]json.RawMessage, ok bool) {
	c := cursor{b: body}
	found, named := false, false
	columns, cells := sc.columns[:0], sc.cells[:0]
	var ends []int // where each row's cells end in cells
	defer func() { sc.columns, sc.cells = columns, cells }()
	ok = c.object(func(key []byte) bool {
		switch {
		case bytes.EqualFold(key, []byte("Inputs")):
			return c.object(func(name []byte) bool {
				if !bytes.EqualFold(name, []byte(inputName)) || found {
					return false
				}
				found = true
				return c.object(func(field []byte) bool {
					switch {
					case bytes.EqualFold(field, []byte("ColumnNames")):
						columns, named = columns[:0], true
						if columns == nil {
							columns = make([][]byte, 0, 32)
						}
						return c.array(func() bool {
							s, ok := c.stringBytes()
							columns = append(columns, s)
							return ok
						})
					case bytes.EqualFold(field, []byte("Values")):
						cells, ends = cells[:0], ends[:0]
						return c.array(func() bool {
							ok := c.array(func() bool {
								v, ok := c.value()
								cells = append(cells, v)
								return ok
							})
							ends = append(ends, len(cells))
							return ok
						})
					}
					_, ok := c.value()
					return ok
				})
			})
		case bytes.EqualFold(key, []byte("GlobalParameters")):
			if c.peek() == 'n' {
				_, ok := c.value()
				return ok
			}
			return c.object(func([]byte) bool { return false }) // any parameter: let the slow path name it
		}
		_, ok := c.value()
		return ok
	})
	if !ok || !found || !named {
		return nil, nil, false
	}
	// The rows are views of one slice of cells, cut once it stopped growing.
	values = sc.values[:0]
	start := 0
	for _, end := range ends {
		values = append(values, cells[start:end:end])
		start = end
	}
	sc.values = values
	return columns, values, true
}

// cursor walks JSON that json.Valid accepted.
type cursor struct {
	b []byte
	i int
}

func (c *cursor) space() {
	for c.i < len(c.b) && (c.b[c.i] == ' ' || c.b[c.i] == '\t' || c.b[c.i] == '\n' || c.b[c.i] == '\r') {
		c.i++
	}
}

func (c *cursor) peek() byte {
	c.space()
	if c.i < len(c.b) {
		return c.b[c.i]
	}
	return 0
}

// object calls member with each key (unescaped keys only), positioned at
// the value, which member must consume.
func (c *cursor) object(member func(key []byte) bool) bool {
	if c.peek() != '{' {
		return false
	}
	c.i++
	if c.peek() == '}' {
		c.i++
		return true
	}
	for {
		key, ok := c.stringBytes()
		if !ok || c.peek() != ':' {
			return false
		}
		c.i++
		if !member(key) {
			return false
		}
		switch c.peek() {
		case ',':
			c.i++
		case '}':
			c.i++
			return true
		default:
			return false
		}
	}
}

// array calls elem for each element, positioned at it.
func (c *cursor) array(elem func() bool) bool {
	if c.peek() != '[' {
		return false
	}
	c.i++
	if c.peek() == ']' {
		c.i++
		return true
	}
	for {
		if !elem() {
			return false
		}
		switch c.peek() {
		case ',':
			c.i++
		case ']':
			c.i++
			return true
		default:
			return false
		}
	}
}

// stringBytes reads a string without escapes and returns its contents.
func (c *cursor) stringBytes() ([]byte, bool) {
	if c.peek() != '"' {
		return nil, false
	}
	end := bytes.IndexByte(c.b[c.i+1:], '"')
	if end < 0 {
		return nil, false
	}
	s := c.b[c.i+1 : c.i+1+end]
	if bytes.IndexByte(s, '\\') >= 0 {
		return nil, false
	}
	c.i += end + 2
	return s, true
}

// value skips one value of any kind and returns its bytes.
func (c *cursor) value() (json.RawMessage, bool) {
	c.space()
	start := c.i
	depth := 0
	for c.i < len(c.b) {
		switch ch := c.b[c.i]; ch {
		case '"':
			c.i++
			for c.i < len(c.b) && c.b[c.i] != '"' {
				if c.b[c.i] == '\\' {
					c.i++
				}
				c.i++
			}
			c.i++
		case '{', '[':
			depth++
			c.i++
		case '}', ']':
			if depth == 0 {
				return c.b[start:c.i], c.i > start
			}
			depth--
			c.i++
		case ',':
			if depth == 0 {
				return c.b[start:c.i], c.i > start
			}
			c.i++
		default:
			c.i++
		}
		if depth == 0 && c.i > start && (c.b[start] == '"' || c.b[start] == '{' || c.b[start] == '[') {
			return c.b[start:c.i], true
		}
	}
	return c.b[start:c.i], c.i > start
}
