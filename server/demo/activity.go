package demo

import (
	"context"
	"fmt"
	"math"
	mrand "math/rand/v2"
	"time"

	"github.com/peakwise/peakwise/scheduling/calendar"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/store"
)

// historyWeeks is how much contact history the demo has per queue.
const historyWeeks = 12

// intraday is the share of a day's contacts per local hour, 07:00-21:00: a
// morning peak and a smaller early-afternoon one, as in most service centers.
var intraday = []float64{0.035, 0.075, 0.105, 0.11, 0.095, 0.08, 0.085, 0.09, 0.08, 0.07, 0.06, 0.05, 0.04, 0.025}

// weekday scales volume Monday..Sunday.
var weekday = []float64{1.25, 1.1, 1.0, 0.97, 0.95, 0.45, 0.25}

// dailyContacts is each queue's volume on an average weekday, sized to the
// twenty agents of the site that serves it (a quarter of their time off the
// phones): the busiest half hour of a Monday needs about half of them.
var dailyContacts = map[string]float64{
	"Voice US": 170, "Chat US": 100, "Voice PT": 160, "Email EMEA": 110, "Voice APAC": 170, "Chat APAC": 100,
}

// holidays are the public holidays of each site's country the demo knows:
// days from today (negative: in the history) and the share of a normal day's
// volume they bring. Each is stored as a special day of the site's queues,
// so the forecast skips the past one and scales the coming one.
var holidays = map[string][]holiday{
	"America/Chicago": {{days: -20, factor: 0.35, note: "Public holiday"}},
	"Europe/Lisbon":   {{days: -27, factor: 0.35, note: "Public holiday"}, {days: 6, factor: 0.4, note: "Public holiday"}},
	"Asia/Manila":     {{days: -13, factor: 0.35, note: "Public holiday"}},
}

type holiday struct {
	days   int
	factor float64
	note   string
}

// holidayDate is the weekday h falls on: its offset from today, moved back
// to the Friday before when it lands on a weekend.
func holidayDate(today time.Time, h holiday) time.Time {
	d := today.AddDate(0, 0, h.days)
	for d.Weekday() == time.Saturday || d.Weekday() == time.Sunday {
		d = d.AddDate(0, 0, -1)
	}
	return d
}

// seedHistory writes synthetic contact history for every queue: the last
// historyWeeks weeks up to the start of today (the queue's local day),
// 30-minute intervals, Poisson noise around the pattern. Calls and chats
// come 07:00-21:00; email arrives around the clock, mostly in the day. The
// site's past public holiday is in the history at its reduced volume, and
// every holiday is stored as a special day.
func seedHistory(ctx context.Context, st *store.Store, rng *mrand.Rand, now time.Time) error {
	queues, _, err := st.FindQueues(ctx, store.Page{Limit: 500})
	if err != nil {
		return err
	}
	for _, q := range queues {
		ch, err := st.FindChannelByID(ctx, q.ChannelID)
		if err != nil {
			return err
		}
		loc, err := time.LoadLocation(q.Timezone)
		if err != nil {
			return err
		}
		daily := dailyContacts[q.Name] * (0.95 + 0.1*rng.Float64())
		local := now.In(loc)
		today := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, loc)
		factor := map[string]float64{}
		for _, h := range holidays[q.Timezone] {
			date := holidayDate(today, h).Format(time.DateOnly)
			factor[date] = h.factor
			if _, err := st.CreateSpecialDay(ctx, org.SpecialDay{QueueID: &q.ID, Date: date, Factor: h.factor, Note: h.note}); err != nil {
				return err
			}
		}
		var pts []store.HistoryPoint
		for d := historyWeeks * 7; d >= 1; d-- {
			day := today.AddDate(0, 0, -d)
			level := daily * (1 + 0.002*float64(historyWeeks*7-d)) * weekday[(int(day.Weekday())+6)%7] // slow growth
			if f, ok := factor[day.Format(time.DateOnly)]; ok {
				level *= f
			}
			next := time.Date(day.Year(), day.Month(), day.Day()+1, 0, 0, 0, 0, loc)
			// Walk instants, not clock times, so a DST day has 46 or 50 intervals.
			for start := day; start.Before(next); start = start.Add(30 * time.Minute) {
				mean := level * hourShare(start.In(loc).Hour(), ch.Kind) / 2
				aht := float64(q.DefaultAHTSec) * (0.9 + 0.2*rng.Float64())
				pts = append(pts, store.HistoryPoint{StartAt: start.UTC(), IntervalMin: 30, Contacts: float64(poisson(rng, mean)), AHTSeconds: &aht})
			}
		}
		if err := st.ReplaceHistory(ctx, q.ID, pts); err != nil {
			return err
		}
	}
	return nil
}

// hourShare is the share of a day's contacts that arrive in local hour h.
// Deferred work (email) keeps a fifth of its volume for the night.
func hourShare(h int, kind org.ChannelKind) float64 {
	day := 0.0
	if h >= 7 && h < 21 {
		day = intraday[h-7]
	}
	if kind == org.Deferred {
		night := 0.0
		if h < 7 || h >= 21 {
			night = 0.2 / 10
		}
		return 0.8*day + night
	}
	return day
}

// poisson draws a Poisson count (normal approximation above 50).
func poisson(rng *mrand.Rand, mean float64) int {
	if mean <= 0 {
		return 0
	}
	if mean > 50 {
		return max(0, int(math.Round(mean+math.Sqrt(mean)*rng.NormFloat64())))
	}
	l, k, p := math.Exp(-mean), 0, 1.0
	for {
		p *= rng.Float64()
		if p <= l {
			return k
		}
		k++
	}
}

// seedSchedule publishes a plan for last week and this week for every agent,
// on their own clock, starts staggered 07:00-11:00, 8.5 hours with a
// 30-minute unpaid lunch (part-timers 4.5 hours, four days). The center runs
// every day: a quarter of the agents work Tuesday to Saturday and a quarter
// Wednesday to Sunday, the rest Monday to Friday. It is hand-made demo data,
// named as such, not a solver result. Next week is left for the planner to
// roster: the generate form's default period, which the demo's forecasts
// cover.
func seedSchedule(ctx context.Context, st *store.Store, now time.Time) error {
	agents, _, err := st.FindAgents(ctx, store.AgentFilter{Page: store.Page{Limit: 500}})
	if err != nil {
		return err
	}
	weekStart := now.UTC().Truncate(24*time.Hour).AddDate(0, 0, -int((now.UTC().Weekday()+6)%7))
	var shifts []calendar.Shift
	for i, a := range agents {
		loc, err := time.LoadLocation(a.Timezone)
		if err != nil {
			return err
		}
		l := now.In(loc)
		monday := time.Date(l.Year(), l.Month(), l.Day()-int((l.Weekday()+6)%7)-7, 0, 0, 0, 0, loc)
		days := 5
		if a.Contract.MaxShiftsPerWeek < 5 {
			days = a.Contract.MaxShiftsPerWeek
		}
		first := i % 4 // 0: Tuesday, 1: Wednesday, else Monday
		if first > 1 {
			first = -1
		}
		for week := 0; week < 2; week++ {
			for n := 0; n < days; n++ {
				d := 7*week + first + 1 + n
				start := time.Date(monday.Year(), monday.Month(), monday.Day()+d, 7+i%5, 0, 0, 0, loc)
				length, paid := 8*time.Hour+30*time.Minute, 480
				if a.Contract.MaxWeekHours < 30 {
					length, paid = 4*time.Hour+30*time.Minute, 240
				}
				lunch := start.Add(length / 2).Truncate(30 * time.Minute)
				shifts = append(shifts, calendar.Shift{AgentID: a.ID, Template: fmt.Sprintf("%dh", paid/60), Start: start, End: start.Add(length), PaidMinutes: paid,
					Breaks: []calendar.Break{{Name: "lunch", Start: lunch, End: lunch.Add(30 * time.Minute)}}})
			}
		}
	}
	sch, err := st.CreateScheduleDraft(ctx, store.Schedule{Name: "Demo fortnight (seeded by hand)", Timezone: "UTC",
		PeriodStart: weekStart.AddDate(0, 0, -7).Add(-12 * time.Hour), PeriodEnd: weekStart.AddDate(0, 0, 7).Add(36 * time.Hour)}, shifts)
	if err != nil {
		return err
	}
	_, _, err = st.PublishSchedule(ctx, sch.ID, sch.Version, 0, now)
	return err
}
