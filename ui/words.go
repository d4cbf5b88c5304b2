package ui

import (
	"fmt"
	"html/template"
	"strconv"
	"strings"
	"time"
)

// The formatters below say stored values in the words people read on the
// pages. They are the only copies: page handlers call them and templates
// reach them through the function map, so every page says "24 h" alike.

// Duration says d as people write it: "1.3 s", "45 s", "90 min", "8 h",
// "7 h 30 min", "3 d". Whole days are days from two days up (so a day-long target reads
// "24 h"); under three hours an uneven span reads in minutes.
func Duration(d time.Duration) string {
	if d < 0 {
		return "-" + Duration(-d)
	}
	day := 24 * time.Hour
	switch {
	case d < 10*time.Second && d%time.Second != 0:
		return strconv.FormatFloat(d.Seconds(), 'f', 1, 64) + " s"
	case d < time.Minute:
		return strconv.Itoa(int(d/time.Second)) + " s"
	case d%time.Minute != 0 && d < 10*time.Minute:
		return fmt.Sprintf("%d min %d s", d/time.Minute, (d%time.Minute)/time.Second)
	case d >= 2*day && d%day == 0:
		return strconv.Itoa(int(d/day)) + " d"
	case d%time.Hour == 0:
		return strconv.Itoa(int(d/time.Hour)) + " h"
	case d < 3*time.Hour:
		return strconv.Itoa(int(d/time.Minute)) + " min"
	default:
		return fmt.Sprintf("%d h %d min", d/time.Hour, (d%time.Hour)/time.Minute)
	}
}

// Period says a plan's period [start, end) on loc's clock: "23 Mar – 30 Mar
// 2026" when both ends are local midnights (the end is the first instant
// after the plan), else with the days and times, "Sun 22 Mar 11:00 – Mon 30
// Mar 2026 00:00", as a roster whose weeks are whole on every agent's clock
// starts and ends. The start names its zone abbreviation when it differs from
// the end's (pages name the end's).
func Period(start, end time.Time, loc *time.Location) string {
	s, e := start.In(loc), end.In(loc)
	midnight := func(t time.Time) bool {
		return t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 && t.Nanosecond() == 0
	}
	if midnight(s) && midnight(e) {
		return s.Format("2 Jan") + " – " + e.Format("2 Jan 2006")
	}
	from := s.Format("Mon 2 Jan 15:04")
	if s.Format("MST") != e.Format("MST") {
		from += s.Format(" MST")
	}
	return from + " – " + e.Format("Mon 2 Jan 2006 15:04")
}

// Seconds is Duration of a count of seconds, as queues store their targets.
func Seconds(sec int) string { return Duration(time.Duration(sec) * time.Second) }

// ServiceTarget says a queue's service-level target: "80% answered within
// 20 s" for calls and chats (answerSec), "90% answered within 24 h" for work
// items with a response time (responseSec) instead.
func ServiceTarget(pct float64, answerSec, responseSec int) string {
	within := answerSec
	if within <= 0 {
		within = responseSec
	}
	return fmt.Sprintf("%g%% answered within %s", pct, Seconds(within))
}

// methodNames are the forecasting methods' names for people, by code (see
// forecasting.Methods).
var methodNames = map[string]string{
	"auto":         "automatic choice",
	"snaive":       "seasonal naive",
	"mean4":        "4-week mean",
	"median5":      "5-week median",
	"ewm":          "EWM",
	"profile":      "weekday profile",
	"profile_flat": "flat weekday profile",
	"dshw":         "double-seasonal Holt-Winters",
}

// MethodName says a forecast's method code in words: "dshw" is "Double-seasonal
// Holt-Winters", and a blend such as "snaive+dshw+ewm" is "Seasonal naive +
// double-seasonal Holt-Winters + EWM blend". A code it does not know is
// returned as it is.
func MethodName(code string) string {
	parts := strings.Split(code, "+")
	names := make([]string, len(parts))
	for i, p := range parts {
		n, ok := methodNames[p]
		if !ok {
			return code
		}
		names[i] = n
	}
	out := strings.Join(names, " + ")
	if len(parts) > 1 {
		out += " blend"
	}
	return strings.ToUpper(out[:1]) + out[1:]
}

// methodHTML is MethodName with the code in a title, for planners who know
// it; a code without a name is shown as it is.
func methodHTML(code string) template.HTML {
	if MethodName(code) == code {
		return template.HTML(template.HTMLEscapeString(code))
	}
	return template.HTML(`<span title="` + template.HTMLEscapeString(code) + `">` + template.HTMLEscapeString(MethodName(code)) + `</span>`)
}
