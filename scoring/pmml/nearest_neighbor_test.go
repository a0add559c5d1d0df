package pmml_test

import (
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/scoregate/scoregate/scoring/pmml"
)

// knnDoc is a 3-NN model on one input x over five training instances,
// predicting a continuous y and a categorical c, with the ids of the
// neighbours as outputs.
func knnDoc(cont, cat, measure string) string {
	return doc(`
		<DataField name="x" optype="continuous" dataType="double"/>
		<DataField name="y" optype="continuous" dataType="double"/>
		<DataField name="c" optype="categorical" dataType="string"/>`, `
	<NearestNeighborModel functionName="mixed" numberOfNeighbors="3" continuousScoringMethod="`+cont+`" categoricalScoringMethod="`+cat+`" instanceIdVariable="id">
		<MiningSchema><MiningField name="x"/><MiningField name="y" usageType="target"/><MiningField name="c" usageType="target"/></MiningSchema>
		<Output>
			<OutputField name="py" feature="predictedValue" targetField="y" dataType="double"/>
			<OutputField name="pc" feature="predictedValue" targetField="c" dataType="string"/>
			<OutputField name="n1" feature="entityId" rank="1" dataType="string"/>
			<OutputField name="n2" feature="entityId" rank="2" dataType="string"/>
			<OutputField name="n3" feature="entityId" rank="3" dataType="string"/>
		</Output>
		<TrainingInstances>
			<InstanceFields>
				<InstanceField field="id" column="id"/><InstanceField field="x" column="x"/>
				<InstanceField field="y" column="y"/><InstanceField field="c" column="c"/>
			</InstanceFields>
			<InlineTable>
				<row><id>a</id><x>0</x><y>0</y><c>lo</c></row>
				<row><id>b</id><x>1</x><y>10</y><c>hi</c></row>
				<row><id>c</id><x>2</x><y>20</y><c>mid</c></row>
				<row><id>d</id><x>10</x><y>100</y><c>hi</c></row>
				<row><id>e</id><x>12</x><y>120</y><c>mid</c></row>
			</InlineTable>
		</TrainingInstances>
		<ComparisonMeasure kind="distance">`+measure+`</ComparisonMeasure>
		<KNNInputs><KNNInput field="x" compareFunction="absDiff"/></KNNInputs>
	</NearestNeighborModel>`)
}

// TestNearestNeighbor scores a 3-NN model by hand: distances from x=0.5
// are 0.5, 0.5, 1.5, 9.5, 11.5 (squared for squaredEuclidean), so the
// neighbours are a, b (equally near: document order) and c.
func TestNearestNeighbor(t *testing.T) {
	t.Parallel()
	w := func(d float64) float64 { return 1 / (d + 0.001) } // threshold 0.001
	// From x=0.4: a 0.4, b 0.6, c 1.6; lo, the nearest, outweighs the
	// others.
	weighted := (0*w(0.4) + 10*w(0.6) + 20*w(1.6)) / (w(0.4) + w(0.6) + w(1.6))
	tests := []struct {
		name, cont, cat, measure string
		x                        float64
		wantY                    float64
		wantC                    string
		wantIDs                  string
	}{
		// a 3-way tie of votes: lo, hi and mid each have one; hi and mid
		// have two training cases each, and "hi" < "mid".
		{"average, tie on votes and cases", "average", "majorityVote", "<euclidean/>", 0.5, 10, "hi", "a b c"},
		{"weighted average", "weightedAverage", "weightedMajorityVote", "<euclidean/>", 0.4, weighted, "lo", "a b c"},
		{"median", "median", "majorityVote", "<cityBlock/>", 0.5, 10, "hi", "a b c"},
		{"far end", "average", "majorityVote", "<squaredEuclidean/>", 11, (20 + 100 + 120) / 3.0, "mid", "d e c"},
		{"chebychev", "median", "majorityVote", "<chebychev/>", 11, 100, "mid", "d e c"},
		{"minkowski", "average", "majorityVote", `<minkowski p-parameter="3"/>`, 1.2, 10, "hi", "b c a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, err := pmml.Compile(strings.NewReader(knnDoc(tt.cont, tt.cat, tt.measure)), pmml.Limits{})
			if err != nil {
				t.Fatal(err)
			}
			row, out := m.NewRow(), m.NewOutput()
			row.SetFloat(0, tt.x)
			if err := m.Score(row, out); err != nil {
				t.Fatal(err)
			}
			if got, _ := out[0].Float(); math.Abs(got-tt.wantY) > 1e-12*math.Abs(tt.wantY) {
				t.Errorf("y = %v, want %v", got, tt.wantY)
			}
			if got := out[1].String(); got != tt.wantC {
				t.Errorf("c = %q, want %q", got, tt.wantC)
			}
			ids := out[2].String() + " " + out[3].String() + " " + out[4].String()
			if ids != tt.wantIDs {
				t.Errorf("neighbours = %q, want %q", ids, tt.wantIDs)
			}
		})
	}
}

// TestNearestNeighborMissingInput checks that a row without its input is
// not scored, rather than scored from a made-up distance.
func TestNearestNeighborMissingInput(t *testing.T) {
	t.Parallel()
	m, err := pmml.Compile(strings.NewReader(knnDoc("average", "majorityVote", "<euclidean/>")), pmml.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	row, out := m.NewRow(), m.NewOutput()
	if err := m.Score(row, out); err != nil {
		t.Fatal(err)
	}
	for i, v := range out {
		if !v.Missing() {
			t.Errorf("output %d = %s %q, want missing", i, v.Kind, v.String())
		}
	}
}

// TestNearestNeighborRejects checks that what the evaluator cannot score
// fails Compile, naming the element and its line.
func TestNearestNeighborRejects(t *testing.T) {
	t.Parallel()
	base := knnDoc("average", "majorityVote", "<euclidean/>")
	tests := []struct{ name, from, to, want string }{
		{"unknown measure", "<euclidean/>", "<mahalanobis/>", "<mahalanobis>"},
		{"kind mismatch", "<euclidean/>", "<jaccard/>", "<ComparisonMeasure>"},
		{"table compare function", `compareFunction="absDiff"`, `compareFunction="table"`, "<KNNInput>"},
		{"unknown scoring method", `continuousScoringMethod="average"`, `continuousScoringMethod="mode"`, "<NearestNeighborModel>"},
		{"too many neighbours", `numberOfNeighbors="3"`, `numberOfNeighbors="6"`, "<NearestNeighborModel>"},
		{"table locator", "<InlineTable>", "<TableLocator/><InlineTable>", "<TableLocator>"},
		{"affinity output", `<OutputField name="n3" feature="entityId"`, `<OutputField name="n3" feature="affinity"`, "<OutputField>"},
		{"missing training value", "<row><id>e</id><x>12</x>", "<row><id>e</id><x></x>", "<row>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			src := strings.Replace(base, tt.from, tt.to, 1)
			if src == base {
				t.Fatalf("%q is not in the document", tt.from)
			}
			_, err := pmml.Compile(strings.NewReader(src), pmml.Limits{})
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "line") {
				t.Errorf("Compile: %v; want an error naming %s and its line", err, tt.want)
			}
		})
	}
}

// BenchmarkNearestNeighbor scores a 5-NN model over 1,000 instances of
// four inputs.
func BenchmarkNearestNeighbor(b *testing.B) {
	var rows strings.Builder
	for i := range 1000 {
		f := float64(i)
		rows.WriteString("<row>")
		for j, col := range []string{"x1", "x2", "x3", "x4"} {
			rows.WriteString("<" + col + ">" + strconv.FormatFloat(math.Mod(f*float64(j+3), 97), 'g', -1, 64) + "</" + col + ">")
		}
		rows.WriteString("<y>" + strconv.Itoa(i%7) + "</y></row>")
	}
	src := doc(`
		<DataField name="x1" optype="continuous" dataType="double"/><DataField name="x2" optype="continuous" dataType="double"/>
		<DataField name="x3" optype="continuous" dataType="double"/><DataField name="x4" optype="continuous" dataType="double"/>
		<DataField name="y" optype="continuous" dataType="double"/>`, `
	<NearestNeighborModel functionName="regression" numberOfNeighbors="5" continuousScoringMethod="weightedAverage">
		<MiningSchema><MiningField name="x1"/><MiningField name="x2"/><MiningField name="x3"/><MiningField name="x4"/><MiningField name="y" usageType="target"/></MiningSchema>
		<TrainingInstances>
			<InstanceFields><InstanceField field="x1"/><InstanceField field="x2"/><InstanceField field="x3"/><InstanceField field="x4"/><InstanceField field="y"/></InstanceFields>
			<InlineTable>`+rows.String()+`</InlineTable>
		</TrainingInstances>
		<ComparisonMeasure kind="distance"><euclidean/></ComparisonMeasure>
		<KNNInputs><KNNInput field="x1"/><KNNInput field="x2"/><KNNInput field="x3"/><KNNInput field="x4"/></KNNInputs>
	</NearestNeighborModel>`)
	m, err := pmml.Compile(strings.NewReader(src), pmml.Limits{})
	if err != nil {
		b.Fatal(err)
	}
	row, out := m.NewRow(), m.NewOutput()
	for i := range 4 {
		row.SetFloat(i, float64(10*i+3))
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := m.Score(row, out); err != nil {
			b.Fatal(err)
		}
	}
}
