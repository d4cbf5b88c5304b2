package service_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/service"
	"github.com/peakwise/peakwise/server/store"
	"github.com/peakwise/peakwise/server/store/storetest"
)

// orgSnapshot renders every organisation record and template set, so a
// test can tell that a refused write changed nothing.
func orgSnapshot(t *testing.T, st *store.Store) string {
	t.Helper()
	ctx := context.Background()
	all := store.Page{Limit: 500}
	var out []any
	add := func(v any, _ int, err error) {
		require.NoError(t, err)
		out = append(out, v)
	}
	add(st.FindSites(ctx, all))
	add(st.FindChannels(ctx, all))
	add(st.FindQueues(ctx, all))
	add(st.FindAgents(ctx, store.AgentFilter{Page: all}))
	add(st.FindSpecialDays(ctx, store.SpecialDayFilter{Page: all}))
	add(st.FindTeams(ctx, store.TeamFilter{Page: all}))
	add(st.FindUsers(ctx, store.UserFilter{Page: all}))
	add(st.FindTemplateSets(ctx, all))
	data, err := json.Marshal(out)
	require.NoError(t, err)
	return string(data)
}

// TestOrgUseCasesRefuseBadRecordsAndWriteNothing calls each create and
// update use case of the organisation's records directly, without the API
// or a page in front, with a record that breaks one rule: each returns
// Invalid naming that field (the error both doors show), and no record
// changes and no audit event is written.
func TestOrgUseCasesRefuseBadRecordsAndWriteNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		w := newLiveWorld(t, st)
		svc := w.svc
		site, err := st.CreateSite(ctx, org.Site{Name: "Porto", Timezone: "Europe/Lisbon"})
		require.NoError(t, err)
		team, err := st.CreateTeam(ctx, org.Team{SiteID: site.ID, Name: "A"})
		require.NoError(t, err)
		ch, err := st.FindChannelByID(ctx, w.queue.ChannelID)
		require.NoError(t, err)
		agentUser, err := st.CreateUser(ctx, org.User{Email: "ann@example.com", Name: "Ann", Role: org.RoleAgent, AgentID: &w.agent.ID}, "")
		require.NoError(t, err)
		day, err := st.CreateSpecialDay(ctx, org.SpecialDay{Date: "2026-12-24", Factor: 1.4, Note: "Christmas Eve"})
		require.NoError(t, err)
		set, err := st.CreateTemplateSet(ctx, store.TemplateSet{Name: "Week"})
		require.NoError(t, err)
		missing := int64(999999)
		admin := auth.Principal{User: org.User{ID: agentUser.ID + 1000, Role: org.RoleAdmin}}
		// trails counts the audit events of the records the cases refuse to change.
		trails := func() int {
			n := 0
			for _, r := range []struct {
				entity string
				id     int64
			}{{"site", site.ID}, {"team", team.ID}, {"channel", ch.ID}, {"queue", w.queue.ID}, {"agent", w.agent.ID},
				{"special_day", day.ID}, {"user", agentUser.ID}, {"template_set", set.ID}} {
				evs, err := st.FindAudit(ctx, r.entity, r.id)
				require.NoError(t, err)
				n += len(evs)
			}
			return n
		}

		cases := []struct {
			name, field string
			call        func() error
		}{
			{"create site", "timezone", func() error {
				_, err := svc.CreateSite(ctx, admin, org.Site{Name: "Mars", Timezone: "Mars/Olympus"})
				return err
			}},
			{"update site", "name", func() error {
				v := site
				v.Name = ""
				_, err := svc.UpdateSite(ctx, admin, v)
				return err
			}},
			{"create channel", "key", func() error {
				_, err := svc.CreateChannel(ctx, admin, org.Channel{Key: "Voice Two", Name: "Voice 2", Kind: org.Realtime})
				return err
			}},
			{"update channel", "kind", func() error {
				v := ch
				v.Kind = "telepathy"
				_, err := svc.UpdateChannel(ctx, admin, v)
				return err
			}},
			{"create queue", "channel_id", func() error {
				q := w.queue
				q.ID, q.Version, q.Name, q.ChannelID = 0, 0, "Voice EN", missing
				_, err := svc.CreateQueue(ctx, admin, q)
				return err
			}},
			{"update queue", "answer_within_seconds", func() error {
				q := w.queue
				q.AnswerWithinSec = 0 // a live channel needs an answer time
				_, err := svc.UpdateQueue(ctx, admin, q)
				return err
			}},
			{"create agent", "team_id", func() error {
				_, err := svc.CreateAgent(ctx, admin, org.Agent{Name: "Bea", Email: "bea@example.com", Timezone: "UTC", TeamID: &missing, Contract: org.DefaultContract})
				return err
			}},
			{"update agent", "email", func() error {
				a := w.agent
				a.Email = "not an address"
				_, err := svc.UpdateAgent(ctx, admin, a)
				return err
			}},
			{"create special day", "queue_id", func() error {
				_, err := svc.CreateSpecialDay(ctx, admin, org.SpecialDay{Date: "2026-12-31", Factor: 1, QueueID: &missing})
				return err
			}},
			{"update special day", "date", func() error {
				d := day
				d.Date = "24/12/2026"
				_, err := svc.UpdateSpecialDay(ctx, admin, d)
				return err
			}},
			{"create team", "supervisor_id", func() error {
				_, err := svc.CreateTeam(ctx, admin, org.Team{SiteID: site.ID, Name: "B", SupervisorID: &agentUser.ID})
				return err
			}},
			{"update team", "site_id", func() error {
				v := team
				v.SiteID = 0
				_, err := svc.UpdateTeam(ctx, admin, v)
				return err
			}},
			{"create user", "password", func() error {
				_, err := svc.CreateUser(ctx, admin, service.UserInput{User: org.User{Email: "new@example.com", Name: "New", Role: org.RolePlanner}, Password: "short"})
				return err
			}},
			{"update user", "email", func() error {
				u := agentUser
				u.Email = "nobody"
				_, err := svc.UpdateUser(ctx, admin, service.UserInput{User: u})
				return err
			}},
			{"create template set", "name", func() error {
				_, err := svc.CreateTemplateSet(ctx, admin, store.TemplateSet{Name: " "})
				return err
			}},
			{"update template set", "name", func() error {
				v := set
				v.Name = ""
				_, err := svc.UpdateTemplateSet(ctx, admin, v)
				return err
			}},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				before := orgSnapshot(t, st)
				err := tc.call()
				var fe *fault.Error
				require.True(t, errors.As(err, &fe), "a fault.Error, got %v", err)
				assert.Equal(t, fault.Invalid, fe.Code, "%v", err)
				assert.Contains(t, fe.Fields, tc.field, "the error names the field: %v", fe.Fields)
				assert.Equal(t, before, orgSnapshot(t, st), "nothing was written")
				assert.Zero(t, trails(), "nothing was audited")
			})
		}
	})
}
