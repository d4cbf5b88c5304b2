package web

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/service"
)

// teamWeekRow is one agent's published week on the supervisor's team page:
// a cell per local day, times on the agent's own clock.
type teamWeekRow struct {
	Agent org.Agent
	Zone  string
	Cells []string
}

// teamWeek lays out the team's published shifts for the week starting on the
// given Monday (YYYY-MM-DD, default this week), day by day on each agent's
// clock. Returns the rows and the day headings.
func (s *Handler) teamWeek(ctx context.Context, agents []org.Agent, week string) ([]teamWeekRow, []string, error) {
	now := s.now()
	monday := time.Date(now.Year(), now.Month(), now.Day()-int((now.Weekday()+6)%7), 0, 0, 0, 0, time.UTC)
	if week != "" {
		d, err := time.Parse(time.DateOnly, week)
		if err != nil {
			return nil, nil, fault.Errorf(fault.Invalid, "week must be a date such as 2026-03-02, not %q", week)
		}
		monday = d
	}
	days := make([]string, 7)
	for i := range days {
		days[i] = monday.AddDate(0, 0, i).Format("Mon 2 Jan")
	}
	ids := make([]int64, len(agents))
	for i, a := range agents {
		ids[i] = a.ID
	}
	// Wide enough for every zone's local week.
	shifts, err := s.svc.FindShifts(ctx, service.ShiftFilter{AgentIDs: ids, Published: true, From: monday.Add(-14 * time.Hour), To: monday.AddDate(0, 0, 7).Add(14 * time.Hour)})
	if err != nil {
		return nil, nil, err
	}
	rows := make([]teamWeekRow, len(agents))
	index := map[int64]int{}
	for i, a := range agents {
		loc := zoneOf(a.Timezone)
		rows[i] = teamWeekRow{Agent: a, Zone: time.Date(monday.Year(), monday.Month(), monday.Day(), 12, 0, 0, 0, loc).Format("MST"), Cells: make([]string, 7)}
		index[a.ID] = i
	}
	for _, sh := range shifts {
		i, ok := index[sh.AgentID]
		if !ok {
			continue
		}
		loc := zoneOf(rows[i].Agent.Timezone)
		l := sh.Start.In(loc)
		day := int(time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, time.UTC).Sub(monday).Hours() / 24)
		if day < 0 || day > 6 {
			continue
		}
		cell := fmt.Sprintf("%s–%s", l.Format("15:04"), sh.End.In(loc).Format("15:04"))
		for _, b := range sh.Breaks {
			if b.Name == "coaching" {
				cell += " (coaching " + b.Start.In(loc).Format("15:04") + ")"
			}
		}
		rows[i].Cells[day] = strings.TrimSpace(rows[i].Cells[day] + " " + cell)
	}
	return rows, days, nil
}
