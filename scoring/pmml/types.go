package pmml

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// dataType is a PMML dataType resolved once at compile time, so scoring
// switches on a small integer rather than comparing names.
type dataType uint8

const (
	dtString dataType = iota
	dtInteger
	dtFloat
	dtDouble
	dtBoolean
	// Dates and times are numbers: days or seconds since an epoch, so
	// comparisons and arithmetic need no special case. The epoch is the
	// one the type names; date and dateTime count from 1970.
	dtDate
	dtTime
	dtDateTime
	dtDays0
	dtDays1960
	dtDays1970
	dtDays1980
	dtTimeSeconds
	dtSeconds0
	dtSeconds1960
	dtSeconds1970
	dtSeconds1980
)

var dataTypeByName = map[string]dataType{
	"string": dtString, "integer": dtInteger, "float": dtFloat, "double": dtDouble,
	"boolean": dtBoolean, "date": dtDate, "time": dtTime, "dateTime": dtDateTime,
	"dateDaysSince[0]": dtDays0, "dateDaysSince[1960]": dtDays1960,
	"dateDaysSince[1970]": dtDays1970, "dateDaysSince[1980]": dtDays1980,
	"timeSeconds": dtTimeSeconds, "dateTimeSecondsSince[0]": dtSeconds0,
	"dateTimeSecondsSince[1960]": dtSeconds1960, "dateTimeSecondsSince[1970]": dtSeconds1970,
	"dateTimeSecondsSince[1980]": dtSeconds1980,
}

// numeric reports whether values of t are numbers.
func (t dataType) numeric() bool { return t != dtString && t != dtBoolean }

// epochDays returns the days from 1970-01-01 to the epoch of a date type,
// and whether t counts seconds rather than days.
func (t dataType) epoch() (days float64, seconds bool) {
	switch t {
	case dtDays0, dtSeconds0:
		days = float64(daysFromCivil(0, 1, 1))
	case dtDays1960, dtSeconds1960:
		days = float64(daysFromCivil(1960, 1, 1))
	case dtDays1980, dtSeconds1980:
		days = float64(daysFromCivil(1980, 1, 1))
	}
	switch t {
	case dtDateTime, dtSeconds0, dtSeconds1960, dtSeconds1970, dtSeconds1980, dtTime, dtTimeSeconds:
		seconds = true
	}
	return days, seconds
}

// daysFromCivil counts days from 1970-01-01 to a proleptic Gregorian date.
func daysFromCivil(y, m, d int) int64 {
	return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC).Unix() / 86400
}

// convert turns v into a value of type t: the one conversion used for
// inputs, constants and derived fields alike, so "4", 4 and "4.0" compare
// equal on an integer field. A value that cannot be converted becomes
// invalid, keeping its text for the error message.
func convert(v Value, t dataType) Value {
	switch v.Kind {
	case KindMissing, KindInvalid:
		return v
	}
	switch t {
	case dtString:
		if v.Kind == KindString {
			return v
		}
		return Value{Kind: KindString, Str: v.String()}
	case dtBoolean:
		switch v.Kind {
		case KindBool:
			return v
		case KindNumber:
			return Bool(v.Num != 0)
		}
		switch strings.ToLower(strings.TrimSpace(v.Str)) {
		case "true", "1":
			return Bool(true)
		case "false", "0":
			return Bool(false)
		}
		return Value{Kind: KindInvalid, Str: v.Str}
	}
	f, label := v.Num, v.Str
	switch v.Kind {
	case KindString:
		var ok bool
		if f, ok = parseTyped(v.Str, t); !ok {
			return Value{Kind: KindInvalid, Str: v.Str}
		}
	case KindBool:
		label = ""
	}
	switch t {
	case dtInteger:
		if f != math.Trunc(f) || math.IsInf(f, 0) {
			return Value{Kind: KindInvalid, Str: v.String()}
		}
	case dtFloat:
		f = float64(float32(f))
	}
	return Value{Kind: KindNumber, Num: f, Str: label}
}

// parseTyped parses text as a value of numeric type t: a number, or for
// the date and time types also an ISO 8601 date, time or date-time.
func parseTyped(s string, t dataType) (float64, bool) {
	s = strings.TrimSpace(s)
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		if t == dtInteger || t == dtFloat || t == dtDouble || !strings.ContainsAny(s, "-:") {
			return f, true
		}
	}
	switch t {
	case dtInteger, dtFloat, dtDouble:
		return 0, false
	}
	days, seconds := t.epoch()
	if t == dtTime || t == dtTimeSeconds {
		tm, err := time.Parse("15:04:05", s)
		if err != nil {
			return 0, false
		}
		return float64(tm.Hour()*3600 + tm.Minute()*60 + tm.Second()), true
	}
	var tm time.Time
	var err error
	for _, layout := range []string{"2006-01-02", "2006-01-02T15:04:05", "2006-01-02 15:04:05", time.RFC3339} {
		if tm, err = time.Parse(layout, s); err == nil {
			break
		}
	}
	if err != nil {
		return 0, false
	}
	if seconds {
		return float64(tm.Unix()) - days*86400, true
	}
	return float64(tm.Unix()/86400) - days, true
}

// equalValues compares two values of the same field: numbers as numbers,
// everything else as text.
func equalValues(a, b Value) bool {
	if (a.Kind == KindNumber || a.Kind == KindBool) && (b.Kind == KindNumber || b.Kind == KindBool) {
		return a.Num == b.Num
	}
	return a.String() == b.String()
}
