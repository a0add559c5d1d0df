package pmml_test

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scoregate/scoregate"
	"github.com/scoregate/scoregate/scoring/pmml"
)

// grmDict is the DataDictionary of the hand-written GeneralRegressionModels.
const grmDict = `
		<DataField name="x" optype="continuous" dataType="double"/>
		<DataField name="c" optype="categorical" dataType="string"><Value value="a"/><Value value="b"/></DataField>
		<DataField name="off" optype="continuous" dataType="double"/>
		<DataField name="t" optype="continuous" dataType="double"/>
		<DataField name="y" optype="continuous" dataType="double"/>
		<DataField name="grade" optype="ordinal" dataType="string"><Value value="lo"/><Value value="mid"/><Value value="hi"/></DataField>`

// grmLog is a Poisson-like model: exp(0.5 + 0.2 x² - c=b + 0.1 x·(c=b) +
// off) times 3 trials.
const grmLog = `
	<GeneralRegressionModel functionName="regression" modelType="generalizedLinear" linkFunction="log" offsetVariable="off" trialsValue="3">
		<MiningSchema><MiningField name="y" usageType="target"/><MiningField name="x"/><MiningField name="c"/><MiningField name="off"/></MiningSchema>
		<ParameterList><Parameter name="p0"/><Parameter name="p1"/><Parameter name="p2"/><Parameter name="p3"/></ParameterList>
		<FactorList><Predictor name="c"/></FactorList>
		<CovariateList><Predictor name="x"/></CovariateList>
		<PPMatrix>
			<PPCell value="2" predictorName="x" parameterName="p1"/>
			<PPCell value="b" predictorName="c" parameterName="p2"/>
			<PPCell value="b" predictorName="c" parameterName="p3"/>
			<PPCell value="1" predictorName="x" parameterName="p3"/>
		</PPMatrix>
		<ParamMatrix>
			<PCell parameterName="p0" beta="0.5" df="1"/>
			<PCell parameterName="p1" beta="0.2" df="1"/>
			<PCell parameterName="p2" beta="-1" df="1"/>
			<PCell parameterName="p3" beta="0.1" df="1"/>
		</ParamMatrix>
	</GeneralRegressionModel>`

// grmOrdinal is a cumulative logit with intercepts -1 (lo) and 1 (mid)
// and a common slope 0.5 for x.
const grmOrdinal = `
	<GeneralRegressionModel functionName="classification" modelType="ordinalMultinomial" cumulativeLink="logit">
		<MiningSchema><MiningField name="grade" usageType="target"/><MiningField name="x"/></MiningSchema>
		<Output>
			<OutputField name="lo" feature="probability" value="lo"/>
			<OutputField name="mid" feature="probability" value="mid"/>
			<OutputField name="hi" feature="probability" value="hi"/>
			<OutputField name="pred" feature="predictedValue"/>
		</Output>
		<ParameterList><Parameter name="p0"/><Parameter name="p1"/></ParameterList>
		<CovariateList><Predictor name="x"/></CovariateList>
		<PPMatrix><PPCell value="1" predictorName="x" parameterName="p1"/></PPMatrix>
		<ParamMatrix>
			<PCell targetCategory="lo" parameterName="p0" beta="-1"/>
			<PCell targetCategory="mid" parameterName="p0" beta="1"/>
			<PCell parameterName="p1" beta="0.5"/>
		</ParamMatrix>
	</GeneralRegressionModel>`

// grmCox has a baseline cumulative hazard of 0.1 from time 1, 0.3 from
// time 5 (maxTime 10) and a coefficient of 2 for x around 0.5.
const grmCox = `
	<GeneralRegressionModel functionName="regression" modelType="CoxRegression" endTimeVariable="t">
		<MiningSchema><MiningField name="y" usageType="target"/><MiningField name="x"/><MiningField name="t"/></MiningSchema>
		<ParameterList><Parameter name="p0" referencePoint="0.5"/></ParameterList>
		<CovariateList><Predictor name="x"/></CovariateList>
		<PPMatrix><PPCell value="1" predictorName="x" parameterName="p0"/></PPMatrix>
		<ParamMatrix><PCell parameterName="p0" beta="2"/></ParamMatrix>
		<BaseCumHazardTables maxTime="10">
			<BaselineCell time="5" cumHazard="0.3"/>
			<BaselineCell time="1" cumHazard="0.1"/>
		</BaseCumHazardTables>
	</GeneralRegressionModel>`

// grmMultinomial is a multinomial logit whose reference category, lo, is
// the first of the DataField: mid has x·1 and hi x·2.
var grmMultinomial = strings.NewReplacer(
	`modelType="ordinalMultinomial" cumulativeLink="logit"`, `modelType="multinomialLogistic" targetReferenceCategory="lo"`,
	`<PCell targetCategory="lo" parameterName="p0" beta="-1"/>`, ``,
	`<PCell targetCategory="mid" parameterName="p0" beta="1"/>`, `<PCell targetCategory="mid" parameterName="p1" beta="1"/>`,
	`<PCell parameterName="p1" beta="0.5"/>`, `<PCell targetCategory="hi" parameterName="p1" beta="2"/>`,
).Replace(grmOrdinal)

const multinomialSum = 1 + math.E + math.E*math.E

func logistic(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

// TestGeneralRegression scores hand-written models whose results follow
// from the PMML 4.4 formulas.
func TestGeneralRegression(t *testing.T) {
	t.Parallel()
	missing := math.NaN() // stands for a missing input or output
	tests := []struct {
		name  string
		model string
		in    map[string]any
		want  []float64 // per output; NaN for missing, or the label
		label string
	}{
		{"log link, level b", grmLog, map[string]any{"x": 2.0, "c": "b", "off": 0.1}, []float64{3 * math.Exp(0.5+0.8-1+0.2+0.1)}, ""},
		{"log link, level a", grmLog, map[string]any{"x": 2.0, "c": "a", "off": 0.0}, []float64{3 * math.Exp(0.5+0.8)}, ""},
		{"missing covariate", grmLog, map[string]any{"c": "a", "off": 0.0}, []float64{missing}, ""},
		{"ordinal", grmOrdinal, map[string]any{"x": 0.0}, []float64{logistic(-1), logistic(1) - logistic(-1), 1 - logistic(1), missing}, "mid"},
		{"multinomial, reference first", grmMultinomial, map[string]any{"x": 1.0}, []float64{1 / multinomialSum, math.E / multinomialSum, math.E * math.E / multinomialSum, missing}, "hi"},
		{"cox between cells", grmCox, map[string]any{"x": 1.0, "t": 7.0}, []float64{math.Exp(2*1-2*0.5) * 0.3}, ""},
		{"cox on a cell", grmCox, map[string]any{"x": 0.5, "t": 1.0}, []float64{0.1}, ""},
		{"cox before the first cell", grmCox, map[string]any{"x": 3.0, "t": 0.5}, []float64{0}, ""},
		{"cox after maxTime", grmCox, map[string]any{"x": 3.0, "t": 11.0}, []float64{missing}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, err := pmml.Compile(strings.NewReader(doc(grmDict, tt.model)), pmml.Limits{})
			if err != nil {
				t.Fatal(err)
			}
			row, out := m.NewRow(), m.NewOutput()
			for i, f := range m.Schema().Input.Fields {
				switch v := tt.in[f.Name].(type) {
				case float64:
					row.SetFloat(i, v)
				case string:
					row.SetString(i, v)
				}
			}
			if err := m.Score(row, out); err != nil {
				t.Fatal(err)
			}
			for i, want := range tt.want {
				got, ok := out[i].Float()
				switch {
				case math.IsNaN(want) && tt.label != "":
					if out[i].String() != tt.label {
						t.Errorf("prediction %q; want %q", out[i].String(), tt.label)
					}
				case math.IsNaN(want):
					if !out[i].Missing() {
						t.Errorf("output %d = %v; want missing", i, out[i])
					}
				case !ok || math.Abs(got-want) > 1e-12*math.Max(1, math.Abs(want)):
					t.Errorf("output %d = %v; want %v", i, out[i], want)
				}
			}
		})
	}
}

// TestGeneralRegressionLinks checks each inverse link of a
// generalizedLinear model on a constant linear predictor of 0.3.
func TestGeneralRegressionLinks(t *testing.T) {
	t.Parallel()
	const eta = 0.3
	tests := []struct {
		link, extra string
		want        float64
	}{
		{"identity", "", eta},
		{"log", "", math.Exp(eta)},
		{"logc", "", 1 - math.Exp(eta)},
		{"logit", "", logistic(eta)},
		{"probit", "", 0.5 * math.Erfc(-eta/math.Sqrt2)},
		{"cloglog", "", 1 - math.Exp(-math.Exp(eta))},
		{"loglog", "", math.Exp(-math.Exp(-eta))},
		{"negbin", `distParameter="2"`, 1 / (2 * (math.Exp(-eta) - 1))},
		{"oddspower", `linkParameter="0.5"`, 1 / (1 + math.Pow(1+0.5*eta, -1/0.5))},
		{"oddspower", `linkParameter="0"`, logistic(eta)},
		{"power", `linkParameter="0.5"`, eta * eta},
		{"power", `linkParameter="0"`, math.Exp(eta)},
	}
	for _, tt := range tests {
		t.Run(tt.link+" "+tt.extra, func(t *testing.T) {
			t.Parallel()
			model := `<GeneralRegressionModel functionName="regression" modelType="generalizedLinear" linkFunction="` + tt.link + `" ` + tt.extra + `>
				<MiningSchema><MiningField name="y" usageType="target"/><MiningField name="x"/></MiningSchema>
				<ParameterList><Parameter name="p0"/></ParameterList>
				<PPMatrix/>
				<ParamMatrix><PCell parameterName="p0" beta="0.3"/></ParamMatrix>
			</GeneralRegressionModel>`
			m, err := pmml.Compile(strings.NewReader(doc(grmDict, model)), pmml.Limits{})
			if err != nil {
				t.Fatal(err)
			}
			out := m.NewOutput()
			if err := m.Score(m.NewRow(), out); err != nil {
				t.Fatal(err)
			}
			if got, ok := out[0].Float(); !ok || math.Abs(got-tt.want) > 1e-15*math.Max(1, math.Abs(tt.want)) {
				t.Errorf("got %v; want %v", out[0], tt.want)
			}
		})
	}
}

// TestGeneralRegressionCoxStrata checks the choice of a BaselineStratum:
// an unknown stratum predicts nothing, a missing one fails the row.
func TestGeneralRegressionCoxStrata(t *testing.T) {
	t.Parallel()
	model := strings.NewReplacer(
		`endTimeVariable="t"`, `endTimeVariable="t" baselineStrataVariable="c"`,
		`<MiningField name="t"/>`, `<MiningField name="t"/><MiningField name="c"/>`,
		`<BaseCumHazardTables maxTime="10">`, `<BaseCumHazardTables><BaselineStratum value="a" maxTime="10">`,
		`</BaseCumHazardTables>`, `</BaselineStratum><BaselineStratum value="b" maxTime="3"><BaselineCell time="2" cumHazard="0.7"/></BaselineStratum></BaseCumHazardTables>`,
	).Replace(grmCox)
	m, err := pmml.Compile(strings.NewReader(doc(strings.Replace(grmDict, `<Value value="b"/>`, `<Value value="b"/><Value value="z"/>`, 1), model)), pmml.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, stratum string
		time          float64
		want          float64 // NaN: missing
		fails         bool
	}{
		{"stratum a", "a", 7, math.Exp(2*1-2*0.5) * 0.3, false},
		{"stratum b", "b", 2.5, math.Exp(2*1-2*0.5) * 0.7, false},
		{"after maxTime of b", "b", 7, math.NaN(), false},
		{"unknown stratum", "z", 7, math.NaN(), false},
		{"missing stratum", "", 7, math.NaN(), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			row, out := m.NewRow(), m.NewOutput()
			for i, f := range m.Schema().Input.Fields {
				switch f.Name {
				case "x":
					row.SetFloat(i, 1)
				case "t":
					row.SetFloat(i, tt.time)
				case "c":
					if tt.stratum != "" {
						row.SetString(i, tt.stratum)
					}
				}
			}
			err := m.Score(row, out)
			switch {
			case tt.fails:
				if err == nil {
					t.Errorf("scored %v; want an error", out[0])
				}
			case err != nil:
				t.Fatal(err)
			case math.IsNaN(tt.want):
				if !out[0].Missing() {
					t.Errorf("got %v; want missing", out[0])
				}
			default:
				if got, _ := out[0].Float(); math.Abs(got-tt.want) > 1e-12 {
					t.Errorf("got %v; want %v", out[0], tt.want)
				}
			}
		})
	}
}

// TestGeneralRegressionRejects checks that what the kind does not
// implement fails Compile naming the element and its line.
func TestGeneralRegressionRejects(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, model, want string }{
		{"contrast matrix", strings.Replace(grmLog, `<Predictor name="c"/>`, `<Predictor name="c"><Categories><Category value="a"/><Category value="b"/></Categories><Matrix><Array n="2" type="real">1 0</Array></Matrix></Predictor>`, 1), "<Matrix> a contrast Matrix of a factor is not supported"},
		{"unknown element", strings.Replace(grmLog, `<ParameterList>`, `<Foo/><ParameterList>`, 1), "<Foo> <Foo> in a GeneralRegressionModel is not supported"},
		{"unknown link", strings.Replace(grmLog, `linkFunction="log"`, `linkFunction="sqrt"`, 1), `linkFunction "sqrt" is not supported`},
		{"float math", strings.Replace(grmLog, `modelType=`, `x-mathContext="float" modelType=`, 1), "x-mathContext float in a GeneralRegressionModel is not supported"},
		{"offset of a linear model", strings.Replace(grmLog, `"generalizedLinear"`, `"generalLinear"`, 1), "an offset in a model that is neither generalizedLinear nor ordinalMultinomial is not supported"},
		{"unknown cumulative link", strings.Replace(grmOrdinal, `cumulativeLink="logit"`, `cumulativeLink="tanh"`, 1), `cumulativeLink "tanh" is not supported`},
		{"unknown predictor", strings.Replace(grmLog, `predictorName="x" parameterName="p1"`, `predictorName="off" parameterName="p1"`, 1), `names predictor "off", which is neither in the FactorList nor in the CovariateList`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := pmml.Compile(strings.NewReader(doc(grmDict, tt.model)), pmml.Limits{})
			var e *scoregate.Error
			if !errors.As(err, &e) || e.Code != scoregate.CodeInvalidModel || !strings.Contains(e.Message, tt.want) || !strings.Contains(e.Message, "line ") {
				t.Errorf("Compile = %v; want InvalidModel with a line, containing %q", err, tt.want)
			}
		})
	}
}

// TestGeneralRegressionAllocs checks that a numeric row allocates nothing.
// It is not parallel: AllocsPerRun refuses to run in a parallel test.
func TestGeneralRegressionAllocs(t *testing.T) {
	for _, model := range []string{grmLog, grmOrdinal, grmCox} {
		m, err := pmml.Compile(strings.NewReader(doc(grmDict, model)), pmml.Limits{})
		if err != nil {
			t.Fatal(err)
		}
		row := m.NewRow()
		for i, f := range m.Schema().Input.Fields {
			if f.Name == "c" {
				row.SetString(i, "b")
			} else {
				row.SetFloat(i, 2)
			}
		}
		assertScoreNoAllocs(t, "general regression", m, row)
	}
}

// BenchmarkGeneralRegression scores the corpus' GeneralRegressionModels
// row by row.
func BenchmarkGeneralRegression(b *testing.B) {
	dir := corpusDir(b)
	for _, name := range []string{"rattle-GeneralRegressionAudit", "knime-GeneralRegressionIris", "rattle-CoxRegressionLung"} {
		b.Run(name, func(b *testing.B) {
			src, err := os.ReadFile(filepath.Join(dir, name, "model.pmml"))
			if err != nil {
				b.Fatal(err)
			}
			m := compileBench(b, src)
			rows := corpusRows(b, m, filepath.Join(dir, name))
			out := m.NewOutput()
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				_ = m.Score(rows[i%len(rows)], out)
			}
		})
	}
}

// FuzzCompileGeneralRegression mutates GeneralRegressionModels, the
// hand-written ones and the corpus', with FuzzCompile's checks: Compile
// blames the document, Score never panics.
func FuzzCompileGeneralRegression(f *testing.F) {
	for _, model := range []string{grmLog, grmOrdinal, grmMultinomial, grmCox} {
		f.Add([]byte(doc(grmDict, model)))
	}
	dir := os.Getenv("SCOREGATE_PMML_CORPUS")
	if dir == "" {
		dir = filepath.Join("..", "..", "..", "shared", "pmml-corpus")
	}
	for _, name := range []string{"rattle-GeneralRegressionAudit", "rattle-CoxRegressionLung", "knime-GeneralRegressionIris", "rattle-GeneralRegressionVersicolor"} {
		if src, err := os.ReadFile(filepath.Join(dir, name, "model.pmml")); err == nil {
			f.Add(src)
		}
	}
	f.Fuzz(fuzzCompiled)
}
