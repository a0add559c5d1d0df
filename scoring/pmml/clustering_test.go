package pmml_test

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/scoregate/scoregate"
	"github.com/scoregate/scoregate/scoring/pmml"
)

// clusterModel writes a ClusteringModel over x1 and x2 with two clusters:
// "near" (id c1) at (0, 0) and "far" (id c2) at (3, 4), unless body
// brings its own.
func clusterModel(attrs, measure, fields, extra string) string {
	return doc(`
	<DataField name="x1" optype="continuous" dataType="double"/>
	<DataField name="x2" optype="continuous" dataType="double"/>`,
		fmt.Sprintf(`<ClusteringModel functionName="clustering" modelClass="centerBased" numberOfClusters="2" %s>
	<MiningSchema><MiningField name="x1"/><MiningField name="x2"/></MiningSchema>
	<Output>
		<OutputField name="id" feature="predictedValue"/>
		<OutputField name="name" feature="predictedDisplayValue"/>
		<OutputField name="entity" feature="entityId"/>
		<OutputField name="index" feature="clusterId"/>
		<OutputField name="affinity" feature="affinity"/>
		<OutputField name="toFar" feature="clusterAffinity" value="c2"/>
	</Output>
	<ComparisonMeasure kind="distance">%s</ComparisonMeasure>
	%s
	%s
	</ClusteringModel>`, attrs, measure, fields, extra))
}

const (
	clusterFields  = `<ClusteringField field="x1"/><ClusteringField field="x2"/>`
	clusterCenters = `<Cluster id="c1" name="near"><Array n="2" type="real">0 0</Array></Cluster>
	<Cluster id="c2" name="far"><Array n="2" type="real">3 4</Array></Cluster>`
)

// TestClusteringMeasures scores (1, 1), or (1, missing), against the two
// clusters with each measure.
func TestClusteringMeasures(t *testing.T) {
	t.Parallel()
	near := func(d1, d2 float64) string { return fmt.Sprintf("c1 near c1 1 %v %v", d1, d2) }
	far := func(d1, d2 float64) string { return fmt.Sprintf("c2 far c2 2 %v %v", d2, d2) }
	tests := []struct {
		name, measure, fields, extra, x2, want string
	}{
		{"squared euclidean", `<squaredEuclidean/>`, clusterFields, "", "1", near(2, 13)},
		{"euclidean", `<euclidean/>`, clusterFields, "", "1", near(math.Sqrt(2), math.Sqrt(13))},
		{"city block", `<cityBlock/>`, clusterFields, "", "1", near(2, 5)},
		{"chebychev", `<chebychev/>`, clusterFields, "", "1", near(1, 3)},
		{"minkowski", `<minkowski p-parameter="3"/>`, clusterFields, "", "1", near(math.Pow(2, 1.0/3), math.Pow(35, 1.0/3))},
		{"field weight", `<squaredEuclidean/>`, `<ClusteringField field="x1" fieldWeight="2"/><ClusteringField field="x2"/>`, "", "1", near(3, 17)},
		{"gaussSim", `<cityBlock/>`, `<ClusteringField field="x1" compareFunction="gaussSim" similarityScale="1"/><ClusteringField field="x2" compareFunction="gaussSim" similarityScale="1"/>`, "", "1",
			far(2*math.Exp(-math.Ln2), math.Exp(-math.Ln2*4)+math.Exp(-math.Ln2*9))},
		{"delta", `<cityBlock/>`, `<ClusteringField field="x1" compareFunction="delta"/><ClusteringField field="x2" compareFunction="delta"/>`, "", "4", far(2, 1)},
		{"missing, no weights", `<squaredEuclidean/>`, clusterFields, "", "", near(2, 8)},
		{"missing, weights", `<squaredEuclidean/>`, clusterFields, `<MissingValueWeights><Array n="2" type="real">1 3</Array></MissingValueWeights>`, "", near(4, 16)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := compileString(t, clusterModel("", tt.measure, tt.fields, tt.extra+clusterCenters))
			out := scoreNamed(t, m, map[string]string{"x1": "1", "x2": tt.x2})
			got, want := strings.Fields(joinValues(out)), strings.Fields(tt.want)
			if len(got) != len(want) {
				t.Fatalf("got %q; want %q", got, want)
			}
			for i := range want {
				if !sameNumberOrText(got[i], want[i]) {
					t.Errorf("got %q; want %q", got, want)
					break
				}
			}
		})
	}
}

// TestClusteringSimilarity checks a binary similarity: the most similar
// cluster wins.
func TestClusteringSimilarity(t *testing.T) {
	t.Parallel()
	doc := strings.Replace(clusterModel("", `<jaccard/>`, clusterFields,
		`<Cluster id="c1"><Array n="2" type="real">1 0</Array></Cluster><Cluster id="c2"><Array n="2" type="real">1 1</Array></Cluster>`),
		`kind="distance"`, `kind="similarity"`, 1)
	m := compileString(t, doc)
	if got := joinValues(scoreNamed(t, m, map[string]string{"x1": "1", "x2": "1"})); got != "c2 c2 c2 2 1 1" {
		t.Errorf("got %q; want c2 with similarity 1", got)
	}
	if got := joinValues(scoreNamed(t, m, map[string]string{"x1": "1", "x2": "0.5"})); strings.TrimSpace(got) != "" {
		t.Errorf("non-binary input: got %q; want no prediction", got)
	}
}

// TestClusteringWithoutOutput checks the default output of a clustering
// model, its winning cluster's id, and that Compile reports the schema
// Inspect does.
func TestClusteringWithoutOutput(t *testing.T) {
	t.Parallel()
	d := clusterModel("", `<squaredEuclidean/>`, clusterFields, clusterCenters)
	d = d[:strings.Index(d, "<Output>")] + d[strings.Index(d, "</Output>")+len("</Output>"):]
	m := compileString(t, d)
	info, err := pmml.Inspect(strings.NewReader(d), pmml.DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	if describe(m.Schema()) != describe(info) {
		t.Errorf("Compile schema %s; Inspect %s", describe(m.Schema()), describe(info))
	}
	if got := joinValues(scoreNamed(t, m, map[string]string{"x1": "3", "x2": "3"})); got != "c2" {
		t.Errorf("got %q; want c2", got)
	}
}

// TestClusteringRejects checks that what the evaluator does not implement
// fails Compile naming the element and line.
func TestClusteringRejects(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, doc, want string }{
		{"distribution based", strings.Replace(clusterModel("", `<euclidean/>`, clusterFields, clusterCenters), `modelClass="centerBased"`, `modelClass="distributionBased"`, 1), `modelClass "distributionBased" is not supported`},
		{"table", clusterModel("", `<euclidean/>`, `<ClusteringField field="x1" compareFunction="table"/><ClusteringField field="x2"/>`, clusterCenters), `<ClusteringField> compareFunction "table" is not supported`},
		{"center fields", clusterModel("", `<euclidean/>`, `<CenterFields/>`+clusterFields, clusterCenters), `<CenterFields> in a ClusteringModel is not supported`},
		{"unknown measure", clusterModel("", `<mahalanobis/>`, clusterFields, clusterCenters), `the measure <mahalanobis> is not supported`},
		{"short center", clusterModel("", `<euclidean/>`, clusterFields, `<Cluster><Array n="1" type="real">1</Array></Cluster>`), `has 1 center values for 2 ClusteringFields`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := pmml.Compile(strings.NewReader(tt.doc), pmml.DefaultLimits())
			var e *scoregate.Error
			if !errors.As(err, &e) || e.Code != scoregate.CodeInvalidModel || !strings.Contains(e.Message, tt.want) || !strings.Contains(e.Message, "line ") {
				t.Errorf("Compile = %v; want InvalidModel with a line, containing %q", err, tt.want)
			}
		})
	}
}

// TestClusteringScoreAllocs checks that the corpus clustering models score
// with no allocation. Not parallel: testing.AllocsPerRun refuses to run in
// a parallel test.
func TestClusteringScoreAllocs(t *testing.T) {
	for _, name := range []string{"rattle-KMeansIris", "knime-KMeansIris"} {
		assertCorpusNoAllocs(t, name)
	}
}

func BenchmarkClusteringScore(b *testing.B) {
	for _, name := range []string{"rattle-KMeansIris", "knime-KMeansIris"} {
		b.Run(name, func(b *testing.B) { benchCorpusCase(b, name) })
	}
}

func joinValues(vs []pmml.Value) string {
	s := make([]string, len(vs))
	for i, v := range vs {
		s[i] = v.String()
	}
	return strings.Join(s, " ")
}

// sameNumberOrText compares two numbers to 1e-12, or two texts exactly.
func sameNumberOrText(got, want string) bool {
	g, errG := strconv.ParseFloat(got, 64)
	w, errW := strconv.ParseFloat(want, 64)
	if errG != nil || errW != nil {
		return got == want
	}
	return math.Abs(g-w) <= 1e-12*math.Max(1, math.Abs(w))
}
