package batch

import (
	"testing"
	"time"

	"github.com/scoregate/scoregate"
)

func TestNextRun(t *testing.T) {
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, c := range []struct {
		expr, zone, after, want string
	}{
		{"@every 5m", "", "2026-11-30T10:00:00Z", "2026-11-30T10:05:00Z"},
		{"0 2 * * *", "", "2026-11-30T10:00:00Z", "2026-12-01T02:00:00Z"},
		{"@daily", "Europe/Amsterdam", "2026-11-30T10:00:00Z", "2026-11-30T23:00:00Z"}, // midnight CET
		// Spring forward in Amsterdam (2026-03-29, 02:00 → 03:00): a 02:30
		// job has no 02:30 that day, and robfig/cron skips the day (the
		// README says so).
		{"30 2 * * *", "Europe/Amsterdam", "2026-03-28T12:00:00Z", "2026-03-30T00:30:00Z"},
		// Fall back (2026-10-25, 03:00 → 02:00): 02:30 happens twice, and
		// robfig/cron fires at both (harmless for drops: a file is claimed
		// once); then daily again.
		{"30 2 * * *", "Europe/Amsterdam", "2026-10-24T12:00:00Z", "2026-10-25T00:30:00Z"},
		{"30 2 * * *", "Europe/Amsterdam", "2026-10-25T00:30:00Z", "2026-10-25T01:30:00Z"},
		{"30 2 * * *", "Europe/Amsterdam", "2026-10-25T01:30:00Z", "2026-10-26T01:30:00Z"},
		// An hourly job across spring forward: no 02:00 local, so 01:00
		// then 03:00 local, one hour apart in UTC.
		{"0 * * * *", "Europe/Amsterdam", "2026-03-29T00:00:00Z", "2026-03-29T01:00:00Z"},
		{"0 9 * * 1-5", "America/New_York", "2026-11-27T15:00:00Z", "2026-11-30T14:00:00Z"}, // Friday after 9:00 → Monday
	} {
		got, err := NextRun(c.expr, c.zone, at(c.after))
		if err != nil {
			t.Errorf("%s in %q: %v", c.expr, c.zone, err)
			continue
		}
		if want := at(c.want); !got.Equal(want) {
			t.Errorf("%s in %q after %s: %s, want %s", c.expr, c.zone, c.after, got.Format(time.RFC3339), c.want)
		}
	}
}

func TestParseCronErrors(t *testing.T) {
	for _, c := range []struct{ expr, zone, field string }{
		{"every 5 minutes", "", "Cron"},
		{"* * * *", "", "Cron"},
		{"61 * * * *", "", "Cron"},
		{"CRON_TZ=UTC 0 * * * *", "", "Cron"},
		{"@every 5m", "Mars/Olympus", "TimeZone"},
		{"@every 5m", "Local", "TimeZone"},
	} {
		_, _, err := ParseCron(c.expr, c.zone)
		e := scoregate.ErrorOf(err)
		if e == nil || e.Target != c.field || e.Class != scoregate.BadArgument {
			t.Errorf("%q in %q: %v, want a BadArgument naming %s", c.expr, c.zone, err, c.field)
		}
	}
}

func TestMatches(t *testing.T) {
	def := &scoregate.Schedule{}
	sales := &scoregate.Schedule{Pattern: "sales-*.csv"}
	for _, c := range []struct {
		sc   *scoregate.Schedule
		name string
		want bool
	}{
		{def, "a.csv", true}, {def, "B.XLSX", true}, {def, "a.txt", false}, {def, "a.csv.tmp", false},
		{sales, "sales-2026.csv", true}, {sales, "sales-2026.xlsx", false}, {sales, "other.csv", false},
	} {
		if got := Matches(c.sc, c.name); got != c.want {
			t.Errorf("%q against %q: %v", c.name, c.sc.Pattern, got)
		}
	}
}
