package gateway

import (
	"strings"
	"testing"

	"github.com/valyala/fasthttp"
)

// TestRedactedRequestURI: every spelling of the api-key parameter loses
// its value; nothing else changes.
func TestRedactedRequestURI(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, uri, want string }{
		{"no query", "/ws/services/id/predict", "/ws/services/id/predict"},
		{"key first", "/p?api-key=s3cret&x=1", "/p?api-key=REDACTED&x=1"},
		{"key last", "/p?x=1&api-key=s3cret", "/p?x=1&api-key=REDACTED"},
		{"key twice", "/p?api-key=a&api-key=b", "/p?api-key=REDACTED&api-key=REDACTED"},
		{"key without a value", "/p?api-key&x=1", "/p?api-key=REDACTED&x=1"},
		{"another case", "/p?API-Key=s3cret", "/p?API-Key=REDACTED"},
		{"an encoded name", "/p?api%2Dkey=s3cret", "/p?api%2Dkey=REDACTED"},
		{"a name that does not decode", "/p?api%zz=s3cret", "/p?api%zz=REDACTED"},
		{"a longer name is not the key", "/p?api-keys=1&my-api-key=2", "/p?api-keys=1&my-api-key=2"},
		{"an empty query", "/p?", "/p?"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := redactedRequestURI([]byte(tc.uri)); got != tc.want {
				t.Errorf("redactedRequestURI(%q) = %q, want %q", tc.uri, got, tc.want)
			}
		})
	}
}

// FuzzRedactedRequestURI: whatever the query, the api-key parameters the
// route would read (fasthttp's parse) all read REDACTED once redacted.
func FuzzRedactedRequestURI(f *testing.F) {
	for _, seed := range []string{"api-key=s3cret&x=1", "x=1&API-KEY=a&api-key", "api%2Dkey=s", "api%zz=1&&=&api-key==x", ""} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, query string) {
		got := redactedRequestURI([]byte("/p?" + query))
		_, q, _ := strings.Cut(got, "?")
		var args fasthttp.Args
		args.Parse(q)
		for _, v := range args.PeekMulti(paramAPIKey) {
			if string(v) != redacted {
				t.Fatalf("query %q redacted to %q: api-key reads %q", query, got, v)
			}
		}
	})
}

func TestParseNumber(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want float64
		ok   bool
	}{
		{"5.1", 5.1, true},
		{"-2e3", -2000, true},
		{"5,1", 5.1, true},
		{",5", 0.5, true},
		{"1,234", 1.234, true}, // a spreadsheet writes no thousands separator
		{"1,234.5", 0, false},
		{"1,2,3", 0, false},
		{"wide", 0, false},
		{"", 0, false},
	} {
		got, ok := parseNumber([]byte(tc.in))
		if ok != tc.ok || got != tc.want {
			t.Errorf("parseNumber(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}
