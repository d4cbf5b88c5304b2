package service_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/peakwise/peakwise/intraday"
	"github.com/peakwise/peakwise/scheduling/calendar"
	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/demo"
	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/service"
	"github.com/peakwise/peakwise/server/store"
	"github.com/peakwise/peakwise/server/store/storetest"
)

// TestAdherenceAgainstThePublishedPlan is the worked example of
// docs/intraday.md run through the store: the published shift, the ingested
// events and a recorded exception give the same figures as the domain, and
// each role sees only whom it may.
func TestAdherenceAgainstThePublishedPlan(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		w := newLiveWorld(t, st)
		site, err := st.CreateSite(ctx, org.Site{Name: "Lisbon", Timezone: "Europe/Lisbon"})
		require.NoError(t, err)
		team, err := st.CreateTeam(ctx, org.Team{SiteID: site.ID, Name: "Tejo"})
		require.NoError(t, err)
		w.agent.TeamID = &team.ID
		w.agent, err = st.UpdateAgent(ctx, w.agent)
		require.NoError(t, err)

		at := func(h, m int) time.Time { return time.Date(2026, 12, 7, h, m, 0, 0, time.UTC) }
		plan, err := st.CreateScheduleDraft(ctx, store.Schedule{Name: "week", Timezone: "UTC", PeriodStart: at(0, 0), PeriodEnd: at(0, 0).AddDate(0, 0, 7)},
			[]calendar.Shift{{AgentID: w.agent.ID, Template: "4h", Start: at(9, 0), End: at(13, 0), PaidMinutes: 240,
				Breaks: []calendar.Break{{Name: "break", Start: at(11, 0), End: at(11, 15)}}}})
		require.NoError(t, err)
		_, _, err = st.PublishSchedule(ctx, plan.ID, plan.Version, 0, w.now)
		require.NoError(t, err)

		w.now = at(14, 0)
		ann := "ann@example.com"
		ingested, err := w.svc.IngestAgentEvents(ctx, []intraday.Event{
			{ID: "1", Agent: ann, State: intraday.Available, At: at(9, 3)},
			{ID: "2", Agent: ann, State: intraday.OnContact, Queue: "Voice PT", At: at(9, 30)},
			{ID: "3", Agent: ann, State: intraday.Available, At: at(10, 50)},
			{ID: "4", Agent: ann, State: intraday.Break, At: at(11, 10)},
			{ID: "5", Agent: ann, State: intraday.Available, At: at(11, 15)},
			{ID: "6", Agent: ann, State: intraday.Offline, At: at(12, 0)},
			{ID: "7", Agent: ann, State: intraday.Available, At: at(12, 20)},
			{ID: "8", Agent: ann, State: intraday.LoggedOut, At: at(13, 0)},
		})
		require.NoError(t, err)
		require.Equal(t, 8, ingested.Stored, "%v", ingested.Errors)

		planner := auth.Principal{User: org.User{ID: 1, Role: org.RolePlanner}}
		sup := auth.Principal{User: org.User{ID: 2, Role: org.RoleSupervisor}, TeamIDs: []int64{team.ID}}
		otherSup := auth.Principal{User: org.User{ID: 3, Role: org.RoleSupervisor}, TeamIDs: []int64{team.ID + 1000}}
		_, err = w.svc.ExcuseAdherence(ctx, otherSup, w.agent.ID, at(12, 0), at(12, 20), "phone system outage")
		assert.Equal(t, fault.NotFound, fault.CodeOf(err), "another team's supervisor cannot excuse Ann")
		_, err = w.svc.ExcuseAdherence(ctx, sup, w.agent.ID, at(12, 20), at(12, 0), "")
		assert.Equal(t, fault.Invalid, fault.CodeOf(err))
		x, err := w.svc.ExcuseAdherence(ctx, sup, w.agent.ID, at(12, 0), at(12, 20), "phone system outage")
		require.NoError(t, err)
		trail, err := st.FindAudit(ctx, "adherence_exception", x.ID)
		require.NoError(t, err)
		require.Len(t, trail, 1, "an exception is audited")

		rep, err := w.svc.Adherence(ctx, planner, service.AdherenceQuery{From: at(8, 0), To: at(14, 0)})
		require.NoError(t, err)
		require.Len(t, rep.Agents, 1)
		row := rep.Agents[0]
		assert.InDelta(t, 210.0/220, *row.Adherence, 1e-9)
		assert.InDelta(t, 212.0/205, *row.Conformance, 1e-9)
		assert.Equal(t, intraday.LoggedOut, row.State)
		assert.Equal(t, intraday.Activity(""), row.Planned, "the shift has ended")
		assert.Nil(t, row.OutSince)

		// At 11:08 Ann is still working through her break: out for 8 minutes, past the grace.
		now, err := w.svc.Adherence(ctx, sup, service.AdherenceQuery{From: at(8, 0), To: at(11, 8)})
		require.NoError(t, err)
		require.Len(t, now.Agents, 1)
		assert.Equal(t, intraday.ActBreak, now.Agents[0].Planned)
		assert.Equal(t, intraday.Available, now.Agents[0].State)
		require.NotNil(t, now.Agents[0].OutSince)
		assert.Equal(t, at(11, 0), *now.Agents[0].OutSince)
		assert.Equal(t, 1, now.OutNow)

		self := auth.Principal{User: org.User{ID: 4, Role: org.RoleAgent, AgentID: &w.agent.ID}}
		mine, err := w.svc.Adherence(ctx, self, service.AdherenceQuery{From: at(8, 0), To: at(14, 0)})
		require.NoError(t, err)
		assert.Len(t, mine.Agents, 1, "Ann sees her own day")
		other := int64(999)
		stranger := auth.Principal{User: org.User{ID: 5, Role: org.RoleAgent, AgentID: &other}}
		theirs, err := w.svc.Adherence(ctx, stranger, service.AdherenceQuery{From: at(8, 0), To: at(14, 0)})
		require.NoError(t, err)
		assert.Empty(t, theirs.Agents, "another agent sees nothing of Ann")
		none, err := w.svc.Adherence(ctx, otherSup, service.AdherenceQuery{From: at(8, 0), To: at(14, 0)})
		require.NoError(t, err)
		assert.Empty(t, none.Agents)
		reviewer := auth.Principal{User: org.User{ID: 6, Role: org.RoleQAReviewer}}
		_, err = w.svc.Adherence(ctx, reviewer, service.AdherenceQuery{From: at(8, 0), To: at(14, 0)})
		assert.Equal(t, fault.Forbidden, fault.CodeOf(err))
		_, err = w.svc.Adherence(ctx, planner, service.AdherenceQuery{From: at(8, 0), To: at(8, 0).AddDate(0, 0, 9)})
		assert.Equal(t, fault.Invalid, fault.CodeOf(err), "a window is at most 8 days")
	})
}

func TestPlannedActivitiesCutBreaksOutOfTheShift(t *testing.T) {
	at := func(h, m int) time.Time { return time.Date(2026, 12, 7, h, m, 0, 0, time.UTC) }
	got := service.PlannedActivities(calendar.Shift{Start: at(9, 0), End: at(17, 30), Breaks: []calendar.Break{
		{Name: "Lunch", Start: at(13, 0), End: at(13, 30)}, {Name: "break", Start: at(10, 30), End: at(10, 45)}, {Name: "late", Start: at(17, 15), End: at(18, 0)}}})
	assert.Equal(t, []intraday.Planned{
		{Activity: intraday.ActWork, Start: at(9, 0), End: at(10, 30)},
		{Activity: intraday.ActBreak, Start: at(10, 30), End: at(10, 45)},
		{Activity: intraday.ActWork, Start: at(10, 45), End: at(13, 0)},
		{Activity: intraday.ActLunch, Start: at(13, 0), End: at(13, 30)},
		{Activity: intraday.ActWork, Start: at(13, 30), End: at(17, 15)},
		{Activity: intraday.ActBreak, Start: at(17, 15), End: at(17, 30)},
	}, got)
}

// The demo's live day: replaying a day of the demo's published plan fills
// the board, and replaying it again stores nothing twice.
func TestReplayDayFillsTheBoardOnce(t *testing.T) {
	ctx := context.Background()
	st := storetest.OpenSQLite(t)
	now := time.Date(2026, 11, 18, 15, 0, 0, 0, time.UTC)
	_, err := demo.Seed(ctx, st, 5, now)
	require.NoError(t, err)
	svc := service.New(st, slog.New(slog.NewTextHandler(io.Discard, nil)), service.Config{Now: func() time.Time { return now }})
	first, err := svc.ReplayDay(ctx, now, now)
	require.NoError(t, err)
	assert.Greater(t, first.Stored, 300)
	assert.Zero(t, first.Rejected, "%v", first.Errors)
	again, err := svc.ReplayDay(ctx, now, now)
	require.NoError(t, err)
	assert.Zero(t, again.Stored)
	assert.Equal(t, first.Stored, again.Duplicates)
	rep, err := svc.Adherence(ctx, auth.Principal{User: org.User{ID: 1, Role: org.RolePlanner}}, service.AdherenceQuery{From: now.Add(-12 * time.Hour), To: now})
	require.NoError(t, err)
	assert.Greater(t, len(rep.Agents), 30)
}
