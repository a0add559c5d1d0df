package pmml

// ScoreTarget exposes scoreTarget to the conformance test.
func ScoreTarget(m *Model, row Row, out []Value) (Value, error) { return m.scoreTarget(row, out) }

// RaceEnabled tells the external tests that allocation counts are
// meaningless in this build (see race_test.go).
const RaceEnabled = raceEnabled
