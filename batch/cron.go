package batch

import (
	"strings"
	"time"

	_ "time/tzdata" // time zones in a static binary on a machine without zoneinfo

	"github.com/robfig/cron/v3"

	"github.com/scoregate/scoregate"
)

// cronParser reads the schedules' Cron: the five standard fields or a
// descriptor (@every 5m, @hourly, @daily, @weekly, @monthly, @yearly).
var cronParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// ParseCron checks a schedule's cron expression and time zone and returns
// its timetable. A bad expression or an unknown zone is a BadArgument
// naming the field.
func ParseCron(expr, zone string) (cron.Schedule, *time.Location, error) {
	loc := time.UTC
	if zone != "" {
		var err error
		if loc, err = time.LoadLocation(zone); err != nil || strings.EqualFold(zone, "local") {
			return nil, nil, scoregate.Errorf(scoregate.BadArgument, scoregate.CodeInvalidValue, "TimeZone",
				"%q is not an IANA time zone such as Europe/Amsterdam or UTC", zone)
		}
	}
	if strings.Contains(expr, "TZ=") {
		return nil, nil, scoregate.Errorf(scoregate.BadArgument, scoregate.CodeInvalidValue, "Cron",
			"give the time zone in TimeZone, not in Cron")
	}
	sched, err := cronParser.Parse(strings.TrimSpace(expr))
	if err != nil {
		return nil, nil, scoregate.Errorf(scoregate.BadArgument, scoregate.CodeInvalidValue, "Cron",
			"%q is not a cron expression (five fields: minute hour day-of-month month day-of-week; or @every 5m, @hourly, @daily, @weekly, @monthly): %v", expr, err)
	}
	return sched, loc, nil
}

// NextRun returns the first firing of expr in zone strictly after t, in
// UTC.
func NextRun(expr, zone string, t time.Time) (time.Time, error) {
	sched, loc, err := ParseCron(expr, zone)
	if err != nil {
		return time.Time{}, err
	}
	return sched.Next(t.In(loc)).UTC(), nil
}
