package pmml

// Kernels of a SupportVectorMachineModel.
const (
	kernelLinear uint8 = iota
	kernelPolynomial
	kernelRBF
	kernelSigmoid
)

// svm is a compiled SupportVectorMachineModel.
type svm struct {
	kernel               uint8
	gamma, coef0, degree float64
	// inputs are the VectorFields: a number, or 1 when a categorical
	// field equals value (a CategoricalPredictor).
	inputs []svmInput
	// vectors is the VectorDictionary, row-major: len(inputs) numbers per
	// vector.
	vectors  []float64
	nVectors int
	machines []svmMachine
	// method is how classification machines combine; for regression
	// there is one machine and its value is the prediction.
	method uint8
	// binaryAlt is the model's alternateBinaryTargetCategory class, or -1:
	// a machine's rounded value 0 votes for it, 1 for targetCategory.
	binaryAlt  int32
	classes    int
	regression bool
}

type svmInput struct {
	slot  int32
	value Value
	cat   bool
}

// svmMachine is one SupportVectorMachine: the value is absoluteValue plus
// the coefficients times the kernel of each support vector with the input.
type svmMachine struct {
	vectors   []int32
	coefs     []float64
	absolute  float64
	threshold float64
	// class and alt are the classes of targetCategory and
	// alternateTargetCategory, -1 when absent.
	class, alt int32
}

// Classification methods of a SupportVectorMachineModel.
const (
	svmOneAgainstAll uint8 = iota
	svmOneAgainstOne
)

func (k *svmKind) compile(mc *modelCtx) (evaluator, error) {
	m := k.m
	if mc.cm.float {
		return nil, unsupported(m.kind, m.line, "x-mathContext float in a SupportVectorMachineModel")
	}
	if rep := attrOf(m.attrs, "svmRepresentation"); rep != "" && rep != "SupportVectors" {
		return nil, unsupported(m.kind, m.line, "svmRepresentation "+rep)
	}
	if mw := attrOf(m.attrs, "maxWins"); mw == "true" || mw == "1" {
		return nil, unsupported(m.kind, m.line, "maxWins=\"true\"")
	}
	sv := &svm{binaryAlt: -1, regression: !mc.classification()}
	switch cm := attrOrDefault(m.attrs, "classificationMethod", "OneAgainstAll"); cm {
	case "OneAgainstAll":
		sv.method = svmOneAgainstAll
	case "OneAgainstOne":
		sv.method = svmOneAgainstOne
	default:
		return nil, unsupported(m.kind, m.line, "classificationMethod "+cm)
	}
	threshold := 0.0
	if s := attrOf(m.attrs, "threshold"); s != "" {
		f, err := parseNumber(s)
		if err != nil {
			return nil, elemErrorf(m.kind, m.line, "has threshold=%q, which is not a number", s)
		}
		threshold = f
	}
	if err := sv.compileKernel(m, k.kernel); err != nil {
		return nil, err
	}
	if k.fields == nil {
		return nil, elemErrorf(m.kind, m.line, "has no VectorDictionary with VectorFields")
	}
	if err := sv.compileFields(mc, k.fields); err != nil {
		return nil, err
	}
	ids, err := sv.compileVectors(k.vectors)
	if err != nil {
		return nil, err
	}
	if len(k.machines) == 0 {
		return nil, elemErrorf(m.kind, m.line, "has no SupportVectorMachine")
	}
	if sv.regression {
		if mc.cm.function != "regression" {
			return nil, unsupported(m.kind, m.line, "functionName "+mc.cm.function)
		}
		if len(k.machines) != 1 {
			return nil, elemErrorf(m.kind, m.line, "is a regression with %d SupportVectorMachines; want 1", len(k.machines))
		}
	} else if alt := attrOf(m.attrs, "alternateBinaryTargetCategory"); alt != "" {
		if sv.method != svmOneAgainstOne {
			return nil, unsupported(m.kind, m.line, "alternateBinaryTargetCategory with classificationMethod OneAgainstAll")
		}
		sv.binaryAlt = mc.class(alt)
	}
	for _, x := range k.machines {
		mach, err := sv.compileMachine(mc, x, ids, threshold)
		if err != nil {
			return nil, err
		}
		sv.machines = append(sv.machines, mach)
	}
	sv.classes = len(mc.cm.classes)
	// Scratch: the input vector, the kernel of each support vector with
	// it, and per class the order of its first vote.
	mc.cm.scratch = len(sv.inputs) + sv.nVectors + sv.classes
	return sv, nil
}

// compileKernel reads the kernel element and its parameters, with the
// spec's defaults.
func (sv *svm) compileKernel(m *model, x *xnode) error {
	if x == nil {
		return elemErrorf(m.kind, m.line, "has no kernel (LinearKernelType, PolynomialKernelType, RadialBasisKernelType or SigmoidKernelType)")
	}
	var err error
	if sv.gamma, err = x.float("gamma", 1); err != nil {
		return err
	}
	if sv.coef0, err = x.float("coef0", 1); err != nil {
		return err
	}
	if sv.degree, err = x.float("degree", 1); err != nil {
		return err
	}
	switch x.name {
	case "LinearKernelType":
		sv.kernel = kernelLinear
	case "PolynomialKernelType":
		sv.kernel = kernelPolynomial
	case "RadialBasisKernelType":
		sv.kernel = kernelRBF
	case "SigmoidKernelType":
		sv.kernel = kernelSigmoid
	}
	return nil
}

// compileFields resolves the VectorFields: FieldRefs, and in PMML 4.4
// CategoricalPredictors, which are 1 when the field has their value.
func (sv *svm) compileFields(mc *modelCtx, x *xnode) error {
	for _, kid := range x.kids {
		if kid.space != x.space || kid.name == "Extension" {
			continue
		}
		switch kid.name {
		case "FieldRef":
			name, err := kid.need("field")
			if err != nil {
				return err
			}
			slot, err := mc.c.ref(mc.sc, kid, name)
			if err != nil {
				return err
			}
			sv.inputs = append(sv.inputs, svmInput{slot: slot})
		case "CategoricalPredictor":
			name, err := kid.need("name")
			if err != nil {
				return err
			}
			slot, err := mc.c.ref(mc.sc, kid, name)
			if err != nil {
				return err
			}
			value, err := kid.need("value")
			if err != nil {
				return err
			}
			if c, err := kid.float("coefficient", 1); err != nil || c != 1 {
				return unsupported(kid.name, kid.line, "a CategoricalPredictor in VectorFields with a coefficient other than 1")
			}
			sv.inputs = append(sv.inputs, svmInput{slot: slot, cat: true, value: mc.c.literal(value, literalType(mc.c.slots[slot].dt))})
		default:
			return unsupported(kid.name, kid.line, "<"+kid.name+"> in VectorFields")
		}
	}
	if len(sv.inputs) == 0 {
		return x.errorf("has no fields")
	}
	return nil
}

// compileVectors lays the VectorInstances out in one slice and returns the
// index of each id.
func (sv *svm) compileVectors(vs []svmVector) (map[string]int32, error) {
	n := len(sv.inputs)
	ids := make(map[string]int32, len(vs))
	sv.vectors = make([]float64, 0, n*len(vs))
	for _, v := range vs {
		if len(v.values) != n {
			return nil, elemErrorf("VectorInstance", v.line, "%q has %d values for %d VectorFields", v.id, len(v.values), n)
		}
		if _, dup := ids[v.id]; dup {
			return nil, elemErrorf("VectorInstance", v.line, "has id %q twice", v.id)
		}
		ids[v.id] = int32(len(ids))
		sv.vectors = append(sv.vectors, v.values...)
	}
	sv.nVectors = len(vs)
	return ids, nil
}

// compileMachine reads one SupportVectorMachine.
func (sv *svm) compileMachine(mc *modelCtx, x *xnode, ids map[string]int32, threshold float64) (svmMachine, error) {
	mach := svmMachine{class: -1, alt: -1}
	var err error
	if mach.threshold, err = x.float("threshold", threshold); err != nil {
		return mach, err
	}
	var coefs *xnode
	for _, kid := range x.kids {
		if kid.space != x.space || kid.name == "Extension" {
			continue
		}
		switch kid.name {
		case "SupportVectors":
			for _, v := range kid.kids {
				if v.name != "SupportVector" || v.space != x.space {
					continue
				}
				id, err := v.need("vectorId")
				if err != nil {
					return mach, err
				}
				i, ok := ids[id]
				if !ok {
					return mach, v.errorf("refers to vector %q, which the VectorDictionary does not have", id)
				}
				mach.vectors = append(mach.vectors, i)
			}
		case "Coefficients":
			coefs = kid
		default:
			return mach, unsupported(kid.name, kid.line, "<"+kid.name+"> in a SupportVectorMachine")
		}
	}
	if coefs == nil {
		return mach, x.errorf("has no Coefficients")
	}
	if mach.absolute, err = coefs.float("absoluteValue", 0); err != nil {
		return mach, err
	}
	for _, c := range coefs.kids {
		if c.name != "Coefficient" || c.space != x.space {
			continue
		}
		f, err := c.float("value", 0)
		if err != nil {
			return mach, err
		}
		mach.coefs = append(mach.coefs, f)
	}
	if len(mach.coefs) != len(mach.vectors) {
		return mach, x.errorf("has %d Coefficients for %d SupportVectors", len(mach.coefs), len(mach.vectors))
	}
	if sv.regression {
		return mach, nil
	}
	target, err := x.need("targetCategory")
	if err != nil {
		return mach, err
	}
	mach.class = mc.class(target)
	alt, hasAlt := x.attr("alternateTargetCategory")
	switch {
	case sv.method == svmOneAgainstAll && hasAlt:
		return mach, x.errorf("has an alternateTargetCategory in a OneAgainstAll model")
	case sv.method == svmOneAgainstOne && sv.binaryAlt < 0 && !hasAlt:
		return mach, x.errorf("has no alternateTargetCategory in a OneAgainstOne model")
	case sv.method == svmOneAgainstOne && sv.binaryAlt >= 0 && hasAlt:
		return mach, x.errorf("has an alternateTargetCategory in a model with alternateBinaryTargetCategory")
	case hasAlt:
		mach.alt = mc.class(alt)
	}
	return mach, nil
}
