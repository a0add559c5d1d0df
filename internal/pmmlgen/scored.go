package pmmlgen

import (
	"bytes"
	"fmt"
)

// ScoredFeatures is the number of features of ScoredForest.
const ScoredFeatures = 10

// ScoredForest returns a regression forest over ScoredFeatures features
// in the layout sklearn2pmml uses (MiningModel, Segmentation, one
// TreeModel per Segment, one SimplePredicate per Node), heavier per node
// than Forest's: every Node, inner or leaf, carries a score and a
// recordCount, and trees return their last prediction when no child
// matches. Some branches stop early, as in a trained forest, which puts
// 200 depth-12 trees near 90 MB, the size pmml.Limits.MaxBytes is set for;
// it is the document of the parsing and inspecting benchmarks. Its
// pseudo-random numbers come from a linear congruential generator with a
// fixed seed.
func ScoredForest(trees, depth int) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<PMML xmlns="http://www.dmg.org/PMML-4_4" version="4.4">
	<Header><Application name="scoregate benchmark"/></Header>
	<DataDictionary>
		<DataField name="y" optype="continuous" dataType="double"/>
`)
	for i := range ScoredFeatures {
		fmt.Fprintf(&b, "\t\t<DataField name=\"x%d\" optype=\"continuous\" dataType=\"double\"/>\n", i)
	}
	b.WriteString("\t</DataDictionary>\n\t<MiningModel functionName=\"regression\">\n\t\t<MiningSchema>\n\t\t\t<MiningField name=\"y\" usageType=\"target\"/>\n")
	for i := range ScoredFeatures {
		fmt.Fprintf(&b, "\t\t\t<MiningField name=\"x%d\"/>\n", i)
	}
	b.WriteString("\t\t</MiningSchema>\n\t\t<Segmentation multipleModelMethod=\"average\">\n")
	seed := uint32(1)
	for t := range trees {
		fmt.Fprintf(&b, "\t\t\t<Segment id=\"%d\">\n\t\t\t\t<True/>\n\t\t\t\t<TreeModel functionName=\"regression\" missingValueStrategy=\"nullPrediction\" noTrueChildStrategy=\"returnLastPrediction\">\n", t+1)
		b.WriteString("\t\t\t\t\t<MiningSchema>\n")
		for i := range ScoredFeatures {
			fmt.Fprintf(&b, "\t\t\t\t\t\t<MiningField name=\"x%d\"/>\n", i)
		}
		b.WriteString("\t\t\t\t\t</MiningSchema>\n\t\t\t\t\t<Node score=\"0.0\">\n\t\t\t\t\t\t<True/>\n")
		var grow func(level int)
		grow = func(level int) {
			for side, op := range []string{"lessOrEqual", "greaterThan"} {
				seed = seed*1664525 + 1013904223
				fmt.Fprintf(&b, "%*s<Node score=\"%.15g\" recordCount=\"%d\">\n%*s<SimplePredicate field=\"x%d\" operator=\"%s\" value=\"%.9g\"/>\n",
					level+6, "", float64(seed%100000)/7919, seed%977, level+7, "", (seed>>8)%ScoredFeatures, op, float64(seed>>12)/65536+float64(side))
				if level < depth && (level < 6 || seed%9 > 1) {
					grow(level + 1)
				}
				fmt.Fprintf(&b, "%*s</Node>\n", level+6, "")
			}
		}
		grow(1)
		b.WriteString("\t\t\t\t\t</Node>\n\t\t\t\t</TreeModel>\n\t\t\t</Segment>\n")
	}
	b.WriteString("\t\t</Segmentation>\n\t</MiningModel>\n</PMML>\n")
	return b.Bytes()
}
