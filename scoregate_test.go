package scoregate_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/scoregate/scoregate"
)

func TestValidateName(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		ok   bool
	}{
		{"simple", "customer001", true},
		{"inner hyphen", "customer-001", true},
		{"one character", "a", true},
		{"24 characters", strings.Repeat("a", 24), true},
		{"25 characters", strings.Repeat("a", 25), false},
		{"empty", "", false},
		{"uppercase", "Customer001", false},
		{"leading hyphen", "-customer", false},
		{"trailing hyphen", "customer-", false},
		{"underscore", "customer_001", false},
		{"space", "customer 001", false},
		{"non-ASCII", "clientè", false},
		{"dot", "v1.2", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := scoregate.ValidateName("name", tc.in)
			if (err == nil) != tc.ok {
				t.Fatalf("ValidateName(%q) = %v, want ok=%v", tc.in, err, tc.ok)
			}
			if err != nil {
				e := scoregate.ErrorOf(err)
				if e.Class != scoregate.BadUserArgument || e.Code != scoregate.CodeInvalidName || e.Target != "name" {
					t.Errorf("error %+v", e)
				}
			}
		})
	}
}

func TestEndpointSettingsApply(t *testing.T) {
	t.Parallel()
	str := func(s string) *string { return &s }
	num := func(n int) *int { return &n }
	yes := true
	tests := []struct {
		name       string
		start      *scoregate.Endpoint // nil: new endpoint defaults
		settings   scoregate.EndpointSettings
		wantLevel  string
		wantCalls  int
		wantTarget string // non-empty: Apply must fail naming it
	}{
		{name: "defaults", wantLevel: "High", wantCalls: 20},
		{name: "high 50", settings: scoregate.EndpointSettings{ThrottleLevel: str("High"), MaxConcurrentCalls: num(50)}, wantLevel: "High", wantCalls: 50},
		{name: "high 1", settings: scoregate.EndpointSettings{MaxConcurrentCalls: num(1)}, wantLevel: "High", wantCalls: 1},
		{name: "high 200", settings: scoregate.EndpointSettings{MaxConcurrentCalls: num(200)}, wantLevel: "High", wantCalls: 200},
		{name: "high 0", settings: scoregate.EndpointSettings{MaxConcurrentCalls: num(0)}, wantTarget: "MaxConcurrentCalls"},
		{name: "high 201", settings: scoregate.EndpointSettings{ThrottleLevel: str("High"), MaxConcurrentCalls: num(201)}, wantTarget: "MaxConcurrentCalls"},
		{name: "low alone is 4", settings: scoregate.EndpointSettings{ThrottleLevel: str("Low")}, wantLevel: "Low", wantCalls: 4},
		{name: "low with 4", settings: scoregate.EndpointSettings{ThrottleLevel: str("Low"), MaxConcurrentCalls: num(4)}, wantLevel: "Low", wantCalls: 4},
		{name: "low with 10", settings: scoregate.EndpointSettings{ThrottleLevel: str("Low"), MaxConcurrentCalls: num(10)}, wantTarget: "MaxConcurrentCalls"},
		{name: "calls on a low endpoint", start: &scoregate.Endpoint{ThrottleLevel: "Low", MaxConcurrentCalls: 4},
			settings: scoregate.EndpointSettings{MaxConcurrentCalls: num(8)}, wantTarget: "MaxConcurrentCalls"},
		{name: "low back to high", start: &scoregate.Endpoint{ThrottleLevel: "Low", MaxConcurrentCalls: 4},
			settings: scoregate.EndpointSettings{ThrottleLevel: str("High")}, wantLevel: "High", wantCalls: 20},
		{name: "high keeps its count", start: &scoregate.Endpoint{ThrottleLevel: "High", MaxConcurrentCalls: 77},
			settings: scoregate.EndpointSettings{ThrottleLevel: str("High")}, wantLevel: "High", wantCalls: 77},
		{name: "unknown level", settings: scoregate.EndpointSettings{ThrottleLevel: str("Medium")}, wantTarget: "ThrottleLevel"},
		{name: "lowercase level", settings: scoregate.EndpointSettings{ThrottleLevel: str("low")}, wantTarget: "ThrottleLevel"},
		{name: "trace level", settings: scoregate.EndpointSettings{DiagnosticsTraceLevel: str("Verbose")}, wantTarget: "DiagnosticsTraceLevel"},
		{name: "description 2000", settings: scoregate.EndpointSettings{Description: str(strings.Repeat("é", 2000))}, wantLevel: "High", wantCalls: 20},
		{name: "description 2001", settings: scoregate.EndpointSettings{Description: str(strings.Repeat("x", 2001))}, wantTarget: "Description"},
		{name: "all at once", settings: scoregate.EndpointSettings{Description: str("d"), DiagnosticsTraceLevel: str("All"),
			SampleDataEnabled: &yes, PreventUpdate: &yes, ThrottleLevel: str("Low")}, wantLevel: "Low", wantCalls: 4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := scoregate.NewEndpointDefaults()
			if tc.start != nil {
				e = *tc.start
			}
			before := fmt.Sprintf("%+v", e)
			err := tc.settings.Apply(&e)
			if tc.wantTarget != "" {
				if got := scoregate.ErrorOf(err); err == nil || got.Target != tc.wantTarget || got.Class != scoregate.BadUserArgument {
					t.Fatalf("Apply = %v, want a BadUserArgument naming %s", err, tc.wantTarget)
				}
				if after := fmt.Sprintf("%+v", e); after != before {
					t.Errorf("a refused Apply changed the endpoint: %s -> %s", before, after)
				}
				return
			}
			if err != nil {
				t.Fatalf("Apply: %v", err)
			}
			if e.ThrottleLevel != tc.wantLevel || e.MaxConcurrentCalls != tc.wantCalls {
				t.Errorf("throttle = %s/%d, want %s/%d", e.ThrottleLevel, e.MaxConcurrentCalls, tc.wantLevel, tc.wantCalls)
			}
		})
	}
}

func TestErrorOf(t *testing.T) {
	t.Parallel()
	if scoregate.ErrorOf(nil) != nil || scoregate.ClassOf(nil) != "" {
		t.Error("ErrorOf(nil) is not nil")
	}
	cause := errors.New("pq: relation does not exist")
	e := scoregate.ErrorOf(fmt.Errorf("load endpoint: %w", cause))
	if e.Class != scoregate.Internal || e.Message != "internal error" || !errors.Is(e, cause) {
		t.Errorf("internal error %+v", e)
	}
	nf := scoregate.Errorf(scoregate.NotFound, scoregate.CodeEndpointNotFound, "name", "no endpoint %q", "x")
	wrapped := fmt.Errorf("handler: %w", nf)
	if !scoregate.IsNotFound(wrapped) || scoregate.ErrorOf(wrapped) != nf {
		t.Errorf("wrapped NotFound not found: %v", wrapped)
	}
	if got := nf.Error(); got != `name: no endpoint "x"` {
		t.Errorf("Error() = %q", got)
	}
}

func TestValidateRelativeLocation(t *testing.T) {
	t.Parallel()
	for rel, ok := range map[string]bool{
		"uploads/abc/model.pmml": true,
		"model.pmml":             true,
		"":                       false,
		"/etc/passwd":            false,
		"../other/model.pmml":    false,
		"uploads/../../x":        false,
		"uploads//x":             false,
		"uploads/./x":            false,
		`uploads\x`:              false,
		"..":                     false,
	} {
		if err := scoregate.ValidateRelativeLocation("f", rel); (err == nil) != ok {
			t.Errorf("ValidateRelativeLocation(%q) = %v, want ok=%v", rel, err, ok)
		}
	}
}

func TestIDs(t *testing.T) {
	t.Parallel()
	a, b := scoregate.NewID(), scoregate.NewID()
	if a == b || !scoregate.IsID(a) || !scoregate.IsID(b) {
		t.Errorf("NewID: %q %q", a, b)
	}
	for _, s := range []string{"", "xyz", strings.Repeat("A", 32), strings.Repeat("0", 31)} {
		if scoregate.IsID(s) {
			t.Errorf("IsID(%q) = true", s)
		}
	}
	e := scoregate.Endpoint{WorkspaceID: "w", ID: "e"}
	if got := e.APILocation("http://h:1"); got != "http://h:1/workspaces/w/services/e" {
		t.Errorf("APILocation = %q", got)
	}
}
