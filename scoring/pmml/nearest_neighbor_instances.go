package pmml

import (
	"strconv"
	"strings"
)

// knnInstanceField is an InstanceField: which slot a column of the
// InlineTable holds.
type knnInstanceField struct {
	field, column string
	slot          int32 // -1 for the instance id
}

// compileInstances reads the training instances into the model's
// arrays. KNN inputs that are DerivedFields of fields the instances hold
// are computed from them (unless the instances say they are transformed
// already), as JPMML does.
func (nn *knn) compileInstances(mc *modelCtx, x *xnode, idVar string) error {
	transformed := x.attrOr("isTransformed", "false") == "true"
	var fields []knnInstanceField
	var table *xnode
	for _, k := range x.kids {
		switch {
		case k.space != mc.c.space || k.name == "Extension":
		case k.name == "InstanceFields":
			for _, f := range k.kids {
				if f.space != mc.c.space || f.name != "InstanceField" {
					continue
				}
				name, err := f.need("field")
				if err != nil {
					return err
				}
				col := f.attrOr("column", name)
				if i := strings.IndexByte(col, ':'); i >= 0 {
					col = col[i+1:] // a prefixed column: cells match by local name
				}
				fld := knnInstanceField{field: name, column: col, slot: -1}
				if name != idVar {
					slot, ok := mc.sc.lookup(name)
					if !ok {
						return f.errorf("names field %q, which the model does not know", name)
					}
					fld.slot = slot
				}
				fields = append(fields, fld)
			}
		case k.name == "InlineTable":
			table = k
		default:
			return unsupported(k.name, k.line, "<"+k.name+"> in TrainingInstances")
		}
	}
	if table == nil {
		return x.errorf("has no InlineTable")
	}
	column := func(name string) (int, bool) {
		for i, f := range fields {
			if f.field == name {
				return i, true
			}
		}
		return -1, false
	}
	idCol := -1
	if idVar != "" {
		var ok bool
		if idCol, ok = column(idVar); !ok {
			return x.errorf("has no InstanceField for the instanceIdVariable %q", idVar)
		}
	}
	// Where each KNN input comes from: a column, or computed.
	inCol := make([]int, len(nn.inputs))
	for j, in := range nn.inputs {
		i, ok := column(mc.c.slots[in.slot].name)
		if !ok && (transformed || mc.c.slots[in.slot].expr == nil) {
			return x.errorf("has no InstanceField for the KNN input %q", mc.c.slots[in.slot].name)
		}
		inCol[j] = i
	}
	if err := nn.initTargets(mc, x, column); err != nil {
		return err
	}
	st := knnScratchState(mc.c.slots)
	cells := make([]string, len(fields))
	for _, row := range table.kids {
		if row.space != mc.c.space || row.name != "row" {
			continue
		}
		for i := range cells {
			cells[i] = "\x00"
		}
		for _, cell := range row.kids {
			for i, f := range fields {
				if f.column == cell.name {
					cells[i] = strings.TrimSpace(cell.text)
				}
			}
		}
		st.begin()
		for i, f := range fields {
			if f.slot >= 0 && cells[i] != "\x00" && cells[i] != "" {
				st.set(f.slot, convert(Text(cells[i]), mc.c.slots[f.slot].dt))
			}
		}
		n := nn.rows + 1
		for j := range nn.inputs {
			in := &nn.inputs[j]
			var v Value
			if inCol[j] >= 0 {
				if c := cells[inCol[j]]; c != "\x00" && c != "" {
					v = convert(Text(c), mc.c.slots[in.slot].dt)
				}
			} else {
				v = *st.get(in.slot)
			}
			f, err := in.code(v, true)
			if err != nil {
				return row.errorf("(training instance %d): KNN input %q %v", n, mc.c.slots[in.slot].name, err)
			}
			nn.x = append(nn.x, f)
		}
		if err := nn.addTargets(mc, row, n, cells); err != nil {
			return err
		}
		id := strconv.Itoa(n)
		if idCol >= 0 {
			if id = cells[idCol]; id == "\x00" || id == "" {
				return row.errorf("(training instance %d) has no %s", n, idVar)
			}
		}
		nn.ids = append(nn.ids, id)
		nn.rows++
	}
	return nil
}

// knnScratchState returns a state over the slots compiled so far, to
// evaluate DerivedFields of training instances while compiling.
func knnScratchState(slots []slotDef) *state {
	return &state{
		m:     &Model{slots: slots},
		vals:  make([]Value, len(slots)),
		gen:   make([]uint32, len(slots)),
		stack: make([]Value, 0, 64),
	}
}

// code turns a value of the input into the number the measure compares:
// the number itself, or the code of a category. Training values add
// their categories; an unknown category of a row codes as -1, which
// equals no training value.
func (in *knnInput) code(v Value, training bool) (float64, error) {
	if in.cats == nil {
		if v.Kind != KindNumber && v.Kind != KindBool {
			return 0, knnNotNumber
		}
		return v.Num, nil
	}
	if v.Kind == KindMissing || v.Kind == KindInvalid {
		return 0, knnNotNumber
	}
	s := v.String()
	c, ok := in.cats[s]
	if !ok {
		if !training {
			return -1, nil
		}
		c = float64(len(in.cats))
		in.cats[s] = c
	}
	return c, nil
}

// knnNotNumber is what code reports for a missing or non-numeric value.
var knnNotNumber = knnError("is missing or not a number (missing training values are not supported)")

type knnError string

func (e knnError) Error() string { return string(e) }
