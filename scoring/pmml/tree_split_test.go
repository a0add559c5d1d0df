package pmml_test

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/scoregate/scoregate/scoring/pmml"
)

// TestTreeSplitBoundaries scores values at and beside a split's threshold
// for both operator pairs trees are written with (<= and >, as sklearn
// writes them; < and >=, as XGBoost does, which the layout rewrites to the
// first pair), by a lone TreeModel (tree.walk) and by a sum of trees
// (walked in lanes), and checks each takes the side the operator says.
func TestTreeSplitBoundaries(t *testing.T) {
	t.Parallel()
	const thr = 0.5
	tree := func(id int, left, right string) string {
		return fmt.Sprintf(`<Segment id="%d"><True/><TreeModel functionName="regression" missingValueStrategy="nullPrediction">
<MiningSchema><MiningField name="x"/></MiningSchema>
<Node><True/>
<Node score="1"><SimplePredicate field="x" operator="%s" value="%v"/></Node>
<Node score="2"><SimplePredicate field="x" operator="%s" value="%v"/></Node>
</Node></TreeModel></Segment>`, id, left, thr, right, thr)
	}
	down, up := math.Nextafter(thr, math.Inf(-1)), math.Nextafter(thr, math.Inf(1))
	for _, pair := range [][2]string{{"lessOrEqual", "greaterThan"}, {"lessThan", "greaterOrEqual"}} {
		for _, trees := range []int{1, 3} {
			var segs strings.Builder
			for i := range trees {
				segs.WriteString(tree(i+1, pair[0], pair[1]))
			}
			m, err := pmml.Compile(strings.NewReader(doc(
				`<DataField name="x" optype="continuous" dataType="double"/><DataField name="y" optype="continuous" dataType="double"/>`,
				`<MiningModel functionName="regression"><MiningSchema><MiningField name="y" usageType="target"/><MiningField name="x"/></MiningSchema>
<Segmentation multipleModelMethod="sum">`+segs.String()+`</Segmentation></MiningModel>`)), pmml.Limits{})
			if err != nil {
				t.Fatal(err)
			}
			for _, x := range []float64{math.Inf(-1), -1, down, thr, up, 7, math.Inf(1)} {
				left := x <= thr
				if pair[0] == "lessThan" {
					left = x < thr
				}
				want := 2.0
				if left {
					want = 1
				}
				row, out := m.NewRow(), m.NewOutput()
				row.SetFloat(0, x)
				if err := m.Score(row, out); err != nil {
					t.Fatal(err)
				}
				if got, ok := out[0].Float(); !ok || got != want*float64(trees) {
					t.Errorf("%s/%s, %d trees, x = %v: %v; want %v", pair[0], pair[1], trees, x, out[0], want*float64(trees))
				}
			}
		}
	}
}
