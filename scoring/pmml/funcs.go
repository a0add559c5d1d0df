package pmml

// userFunc is a DefineFunction. Its parameters are slots visible only in
// its body; a call sets them and evaluates the body, so nested calls of
// the same function work (arguments are evaluated before any is set) but
// recursion does not, and Compile refuses it.
type userFunc struct {
	name   string
	x      *xnode
	params []int32
	types  []dataType
	body   expr
	dt     dataType
	cast   bool
	status uint8
}

// defineFunction registers a DefineFunction of the TransformationDictionary.
func (c *compiler) defineFunction(x *xnode) error {
	name, err := x.need("name")
	if err != nil {
		return err
	}
	if _, dup := c.funcs[name]; dup {
		return x.errorf("defines function %q twice", name)
	}
	c.funcs[name] = &userFunc{name: name, x: x}
	return nil
}

// compileFunc compiles a DefineFunction on its first call.
func (c *compiler) compileFunc(f *userFunc) error {
	switch f.status {
	case slotDone:
		return nil
	case slotCompiling:
		return f.x.errorf("function %q calls itself", f.name)
	}
	f.status = slotCompiling
	sc := newScope(nil)
	sc.fn = true
	for _, k := range f.x.kids {
		if k.name != "ParameterField" {
			continue
		}
		name, err := k.need("name")
		if err != nil {
			return err
		}
		dt, err := c.dataTypeAttr(k, "dataType", "")
		if err != nil {
			return err
		}
		if _, ok := k.attr("dataType"); !ok {
			dt = dtString // untyped: keep the argument as it comes
		}
		f.params = append(f.params, c.define(sc, slotDef{name: name, dt: dt}))
		_, typed := k.attr("dataType")
		if !typed {
			dt = 255
		}
		f.types = append(f.types, dt)
	}
	if _, ok := f.x.attr("dataType"); ok {
		dt, err := c.dataTypeAttr(f.x, "dataType", "")
		if err != nil {
			return err
		}
		f.dt, f.cast = dt, true
	}
	body, err := c.exprKid(sc, f.x)
	if err != nil {
		return err
	}
	f.body, f.status = body, slotDone
	return nil
}

func (f *userFunc) call(s *state, args []Value) Value {
	for i, p := range f.params {
		v := args[i]
		if f.types[i] != 255 {
			v = convert(v, f.types[i])
		}
		s.set(p, v)
	}
	v := f.body.eval(s)
	if f.cast {
		v = convert(v, f.dt)
	}
	return v
}
