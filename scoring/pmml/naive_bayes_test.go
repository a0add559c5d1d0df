package pmml_test

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scoregate/scoregate/scoring/pmml"
)

// bayesDoc is a NaiveBayesModel over a categorical c, a Gaussian g, a
// discretized k and a Poisson p, predicting y (a or b). parts replaces
// pieces of it for the rejection tests.
func bayesDoc(parts ...string) string {
	doc := `<PMML version="4.4" xmlns="http://www.dmg.org/PMML-4_4"><Header/>
<DataDictionary>
 <DataField name="c" optype="categorical" dataType="string"><Value value="u"/><Value value="v"/><Value value="w"/></DataField>
 <DataField name="g" optype="continuous" dataType="double"/>
 <DataField name="k" optype="continuous" dataType="double"/>
 <DataField name="p" optype="continuous" dataType="integer"/>
 <DataField name="y" optype="categorical" dataType="string"><Value value="a"/><Value value="b"/></DataField>
</DataDictionary>
<NaiveBayesModel functionName="classification" threshold="0.001">
 <MiningSchema><MiningField name="c"/><MiningField name="g"/><MiningField name="k"/><MiningField name="p"/><MiningField name="y" usageType="target"/></MiningSchema>
 <Output><OutputField name="pred" feature="predictedValue"/><OutputField name="pa" feature="probability" value="a"/><OutputField name="pb" feature="probability" value="b"/></Output>
 <BayesInputs>
  <BayesInput fieldName="c">
   <PairCounts value="u"><TargetValueCounts><TargetValueCount value="a" count="20"/><TargetValueCount value="b" count="0"/></TargetValueCounts></PairCounts>
   <PairCounts value="v"><TargetValueCounts><TargetValueCount value="a" count="10"/><TargetValueCount value="b" count="10"/></TargetValueCounts></PairCounts>
  </BayesInput>
  <BayesInput fieldName="g"><TargetValueStats>
   <TargetValueStat value="a"><GaussianDistribution mean="0" variance="1"/></TargetValueStat>
   <TargetValueStat value="b"><GaussianDistribution mean="2" variance="4"/></TargetValueStat>
  </TargetValueStats></BayesInput>
  <BayesInput fieldName="k">
   <DerivedField name="kBin" optype="categorical" dataType="string"><Discretize field="k">
    <DiscretizeBin binValue="lo"><Interval closure="openOpen" rightMargin="5"/></DiscretizeBin>
    <DiscretizeBin binValue="hi"><Interval closure="closedOpen" leftMargin="5"/></DiscretizeBin>
   </Discretize></DerivedField>
   <PairCounts value="lo"><TargetValueCounts><TargetValueCount value="a" count="25"/><TargetValueCount value="b" count="2"/></TargetValueCounts></PairCounts>
   <PairCounts value="hi"><TargetValueCounts><TargetValueCount value="a" count="5"/><TargetValueCount value="b" count="8"/></TargetValueCounts></PairCounts>
  </BayesInput>
  <Extension><BayesInput fieldName="p"><TargetValueStats>
   <TargetValueStat value="a"><PoissonDistribution mean="1"/></TargetValueStat>
   <TargetValueStat value="b"><PoissonDistribution mean="3"/></TargetValueStat>
  </TargetValueStats></BayesInput></Extension>
 </BayesInputs>
 <BayesOutput fieldName="y"><TargetValueCounts><TargetValueCount value="a" count="30"/><TargetValueCount value="b" count="10"/></TargetValueCounts></BayesOutput>
</NaiveBayesModel></PMML>`
	for i := 0; i+1 < len(parts); i += 2 {
		doc = strings.Replace(doc, parts[i], parts[i+1], 1)
	}
	return doc
}

func gauss(x, mean, variance float64) float64 {
	return math.Exp(-(x-mean)*(x-mean)/(2*variance)) / math.Sqrt(2*math.Pi*variance)
}

func poisson(k, mean float64) float64 {
	lg, _ := math.Lgamma(k + 1)
	return math.Exp(k*math.Log(mean) - mean - lg)
}

func TestNaiveBayes(t *testing.T) {
	t.Parallel()
	m, err := pmml.Compile(strings.NewReader(bayesDoc()), pmml.DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	const th = 0.001
	floor := func(p float64) float64 { return math.Max(p, th) }
	tests := []struct {
		name       string
		c, g, k, p string // "" is missing
		a, b       float64
	}{
		{"every input", "v", "1", "7", "2",
			30 * (10.0 / 30) * gauss(1, 0, 1) * (5.0 / 30) * poisson(2, 1),
			10 * (10.0 / 10) * gauss(1, 2, 4) * (8.0 / 10) * poisson(2, 3)},
		{"zero count takes the threshold", "u", "0", "1", "0",
			30 * (20.0 / 30) * gauss(0, 0, 1) * (25.0 / 30) * poisson(0, 1),
			10 * th * gauss(0, 2, 4) * (2.0 / 10) * poisson(0, 3)},
		{"tiny density takes the threshold", "", "9", "", "",
			30 * floor(gauss(9, 0, 1)), 10 * floor(gauss(9, 2, 4))},
		{"missing and uncounted values are ignored", "w", "", "", "", 30, 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			row, out := m.NewRow(), m.NewOutput()
			for i, s := range []string{tt.c, tt.g, tt.k, tt.p} {
				if s != "" {
					row.SetString(i, s)
				}
			}
			if err := m.Score(row, out); err != nil {
				t.Fatal(err)
			}
			want := []float64{tt.a / (tt.a + tt.b), tt.b / (tt.a + tt.b)}
			for i, w := range want {
				if !nearValue(out[1+i], w) {
					t.Errorf("probability %d: got %v, want %v", i, out[1+i], w)
				}
			}
			if pred := map[bool]string{true: "a", false: "b"}[want[0] >= want[1]]; out[0].String() != pred {
				t.Errorf("predicted %v, want %s", out[0], pred)
			}
		})
	}
}

func TestNaiveBayesRejects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		parts []string
		want  string
	}{
		{"distribution", []string{`<PoissonDistribution mean="1"/>`, `<UniformDistribution lower="0" upper="1"/>`}, "<UniformDistribution> in a NaiveBayesModel is not supported"},
		{"derived expression", []string{`<Discretize field="k">`, `<MapValues outputColumn="o"><FieldColumnPair field="k" column="i"/></MapValues><Discretize field="k">`}, "<MapValues> in the DerivedField of a BayesInput"},
		{"no threshold", []string{` threshold="0.001"`, ``}, "has no threshold"},
		{"unknown category", []string{`<TargetValueCount value="b" count="10"/></TargetValueCounts></PairCounts>`, `<TargetValueCount value="z" count="10"/></TargetValueCounts></PairCounts>`}, `category "z"`},
		{"unknown element", []string{`<BayesOutput`, `<BayesPriors/><BayesOutput`}, "<BayesPriors> in a NaiveBayesModel is not supported"},
		{"regression", []string{`functionName="classification"`, `functionName="regression"`}, "functionName regression of a NaiveBayesModel is not supported"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := pmml.Compile(strings.NewReader(bayesDoc(tt.parts...)), pmml.DefaultLimits())
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "line") {
				t.Errorf("Compile: %v; want an error naming the line and %q", err, tt.want)
			}
		})
	}
}

// Not parallel: testing.AllocsPerRun refuses to run in a parallel test.
func TestNaiveBayesScoresWithoutAllocating(t *testing.T) {
	m, err := pmml.Compile(strings.NewReader(bayesDoc()), pmml.DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	row, out := m.NewRow(), m.NewOutput()
	row.SetString(0, "v")
	row.SetFloat(1, 0.5)
	row.SetFloat(2, 6)
	row.SetFloat(3, 2)
	if err := m.Score(row, out); err != nil {
		t.Fatal(err)
	}
	assertScoreNoAllocs(t, "naive Bayes", m, row)
}

// BenchmarkScoreNaiveBayes scores rattle's Audit naive Bayes model (four
// Gaussian and five categorical inputs) one row at a time.
func BenchmarkScoreNaiveBayes(b *testing.B) {
	dir := filepath.Join(corpusDir(b), "rattle-NaiveBayesAudit")
	doc, err := os.ReadFile(filepath.Join(dir, "model.pmml"))
	if err != nil {
		b.Fatal(err)
	}
	m, err := pmml.Compile(bytes.NewReader(doc), pmml.DefaultLimits())
	if err != nil {
		b.Fatal(err)
	}
	benchmarkScore(b, m, corpusRows(b, m, dir))
}
