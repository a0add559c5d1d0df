package pmml

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// textFunctions registers the string and date built-ins. String results
// allocate; models that use them are not on the zero-allocation path.
func textFunctions() {
	str1 := map[string]func(string) string{
		"uppercase": strings.ToUpper, "lowercase": strings.ToLower, "trimBlanks": strings.TrimSpace,
	}
	for name, f := range str1 {
		builtins[name] = &builtin{min: 1, max: 1, call: func(a []Value, _ any) Value { return Text(f(a[0].String())) }}
	}
	builtins["stringLength"] = &builtin{min: 1, max: 1, call: func(a []Value, _ any) Value {
		return Float(float64(utf8.RuneCountInString(a[0].String())))
	}}
	builtins["concat"] = &builtin{min: 1, max: -1, call: func(a []Value, _ any) Value {
		var b strings.Builder
		for _, v := range a {
			b.WriteString(v.String())
		}
		return Text(b.String())
	}}
	builtins["substring"] = &builtin{min: 3, max: 3, call: func(a []Value, _ any) Value {
		start, ok1 := number(a[1])
		n, ok2 := number(a[2])
		if !ok1 || !ok2 || start < 1 || n < 0 {
			return Value{Kind: KindInvalid}
		}
		r := []rune(a[0].String())
		from := min(int(start)-1, len(r))
		to := min(from+int(n), len(r))
		return Text(string(r[from:to]))
	}}
	builtins["matches"] = &builtin{min: 2, max: 2, prep: constRegexp, call: func(a []Value, aux any) Value {
		re, ok := regexpOf(a[1], aux)
		if !ok {
			return Value{Kind: KindInvalid}
		}
		return Bool(re.MatchString(a[0].String()))
	}}
	builtins["replace"] = &builtin{min: 3, max: 3, prep: constRegexp, call: func(a []Value, aux any) Value {
		re, ok := regexpOf(a[1], aux)
		if !ok {
			return Value{Kind: KindInvalid}
		}
		// PMML follows Java, whose replacement refers to groups as $1.
		return Text(re.ReplaceAllString(a[0].String(), a[2].String()))
	}}
	builtins["formatNumber"] = &builtin{min: 2, max: 2, call: func(a []Value, _ any) Value {
		f, ok := number(a[0])
		if !ok || hugeWidth.MatchString(a[1].String()) {
			return Value{Kind: KindInvalid}
		}
		return Text(fmt.Sprintf(a[1].String(), f))
	}}
	builtins["dateDaysSinceYear"] = &builtin{min: 2, max: 2, call: func(a []Value, _ any) Value {
		t, ok1 := dateOf(a[0], false)
		y, ok2 := number(a[1])
		if !ok1 || !ok2 {
			return Value{Kind: KindInvalid}
		}
		return Float(float64(t.Unix()/86400 - daysFromCivil(int(y), 1, 1)))
	}}
	builtins["dateSecondsSinceYear"] = &builtin{min: 2, max: 2, call: func(a []Value, _ any) Value {
		t, ok1 := dateOf(a[0], true)
		y, ok2 := number(a[1])
		if !ok1 || !ok2 {
			return Value{Kind: KindInvalid}
		}
		return Float(float64(t.Unix() - daysFromCivil(int(y), 1, 1)*86400))
	}}
	builtins["dateSecondsSinceMidnight"] = &builtin{min: 1, max: 1, call: func(a []Value, _ any) Value {
		t, ok := dateOf(a[0], true)
		if !ok {
			return Value{Kind: KindInvalid}
		}
		return Float(float64(t.Hour()*3600 + t.Minute()*60 + t.Second()))
	}}
}

// hugeWidth finds a width or precision that would make formatNumber
// write megabytes.
var hugeWidth = regexp.MustCompile(`[0-9]{4,}`)

// constRegexp compiles the pattern of matches and replace once when it is
// a constant.
func constRegexp(args []expr) (any, error) {
	c, ok := args[1].(constExpr)
	if !ok {
		return nil, nil
	}
	re, err := regexp.Compile(c.v.String())
	if err != nil {
		return nil, errors.New("pattern is not a regular expression")
	}
	return re, nil
}

func regexpOf(pattern Value, aux any) (*regexp.Regexp, bool) {
	if re, ok := aux.(*regexp.Regexp); ok {
		return re, true
	}
	re, err := regexp.Compile(pattern.String())
	return re, err == nil
}

// dateOf reads a date or date-time: the text it was given as, or else a
// number of days (seconds when seconds is set) since 1970.
func dateOf(v Value, seconds bool) (time.Time, bool) {
	if v.Str != "" {
		for _, layout := range []string{"2006-01-02", "2006-01-02T15:04:05", "2006-01-02 15:04:05", time.RFC3339} {
			if t, err := time.Parse(layout, strings.TrimSpace(v.Str)); err == nil {
				return t, true
			}
		}
		if v.Kind == KindString {
			return time.Time{}, false
		}
	}
	f, ok := number(v)
	if !ok {
		return time.Time{}, false
	}
	if !seconds {
		f *= 86400
	}
	return time.Unix(int64(f), 0).UTC(), true
}
