package gateway_test

import (
	"strings"
	"testing"

	"github.com/scoregate/scoregate"
	"github.com/scoregate/scoregate/gateway"
)

// FuzzDecodeEndpointSettings feeds arbitrary bodies to the decoder of PUT
// and PATCH …/endpoints/{name}. It must never panic, and must answer either
// settings a new endpoint accepts or a 400-class error: never an internal
// error.
func FuzzDecodeEndpointSettings(f *testing.F) {
	for _, seed := range []string{
		``,
		`{}`,
		`null`,
		`{"ThrottleLevel":"High","MaxConcurrentCalls":50,"Description":"fast"}`,
		`{"ThrottleLevel":"Low","MaxConcurrentCalls":4}`,
		`{"ThrottleLevel":"Low","MaxConcurrentCalls":10}`,
		`{"MaxConcurrentCalls":"ten"}`,
		`{"MaxConcurrentCalls":1e100}`,
		`{"DiagnosticsTraceLevel":"All","SampleDataEnabled":true,"PreventUpdate":false}`,
		`{"Resources":[{"Name":"m","Kind":"TrainedModel","Location":{"BaseLocation":"b","RelativeLocation":"uploads/x/m.pmml"}}]}`,
		`{"Resources":{"Name":1}}`,
		`{"Resources":[{"Location":{"RelativeLocation":7}}]}`,
		`{"Description":"` + strings.Repeat("é", 2001) + `"}`,
		`{"Description":`,
		`[1,2,3]`,
		`"x"`,
		`{} {}`,
		`{"Name":"a","PrimaryKey":"k","Version":3,"Unknown":{"deep":[1,{"x":null}]}}`,
		"\xff\xfe{}",
	} {
		f.Add([]byte(seed), true)
		f.Add([]byte(seed), false)
	}
	f.Fuzz(func(t *testing.T, body []byte, withResources bool) {
		set, err := gateway.DecodeEndpointSettings(body, withResources)
		if err != nil {
			switch c := scoregate.ClassOf(err); c {
			case scoregate.BadArgument, scoregate.BadUserArgument:
			default:
				t.Fatalf("class %s for %q: %v", c, body, err)
			}
			return
		}
		if !withResources && set.Resources != nil {
			t.Fatalf("Resources kept without withResources: %q", body)
		}
		e := scoregate.NewEndpointDefaults()
		if err := set.Apply(&e); err != nil {
			t.Fatalf("decoded settings a new endpoint refuses: %q: %v", body, err)
		}
	})
}
