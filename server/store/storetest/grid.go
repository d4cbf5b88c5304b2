package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/peakwise/peakwise/scheduling/calendar"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/store"
)

// SeedGridPlan adds a site, a team and agents (America/Chicago, with the
// given skills) and a draft of weeks weeks of their weekday FT8 shifts from
// this week's Monday, starts staggered 06:00-13:00, each with a lunch: the
// large plan the grid's tests and benchmarks draw. Returns the draft's id.
func SeedGridPlan(tb testing.TB, st *store.Store, agents, weeks int, skills []org.Skill) int64 {
	tb.Helper()
	ctx := context.Background()
	must := func(err error) {
		if err != nil {
			tb.Fatal(err)
		}
	}
	chicago, err := time.LoadLocation("America/Chicago")
	must(err)
	site, err := st.CreateSite(ctx, org.Site{Name: "Grid", Timezone: "America/Chicago"})
	must(err)
	team, err := st.CreateTeam(ctx, org.Team{SiteID: site.ID, Name: "Grid"})
	must(err)
	now := time.Now().In(chicago)
	monday := time.Date(now.Year(), now.Month(), now.Day()-int((now.Weekday()+6)%7), 0, 0, 0, 0, chicago)
	var shifts []calendar.Shift
	for i := 0; i < agents; i++ {
		a, err := st.CreateAgent(ctx, org.Agent{Name: fmt.Sprintf("Grid agent %03d", i), Email: fmt.Sprintf("grid%d@grid.example", i), Timezone: "America/Chicago",
			TeamID: &team.ID, Contract: org.DefaultContract, Skills: skills})
		must(err)
		for d := 0; d < 7*weeks; d++ {
			if d%7 >= 5 {
				continue
			}
			start := time.Date(monday.Year(), monday.Month(), monday.Day()+d, 6+i%8, 0, 0, 0, chicago)
			shifts = append(shifts, calendar.Shift{AgentID: a.ID, Template: "FT8", Start: start, End: start.Add(8*time.Hour + 30*time.Minute), PaidMinutes: 480,
				Breaks: []calendar.Break{{Name: "lunch", Start: start.Add(4 * time.Hour), End: start.Add(4*time.Hour + 30*time.Minute)}}})
		}
	}
	sch, err := st.CreateScheduleDraft(ctx, store.Schedule{Name: "Grid", Timezone: "America/Chicago", PeriodStart: monday.UTC(), PeriodEnd: monday.AddDate(0, 0, 7*weeks).UTC()}, shifts)
	must(err)
	return sch.ID
}
