package store_test

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/store"
	"github.com/peakwise/peakwise/server/store/storetest"
)

func TestMigrateTwiceAndConcurrently(t *testing.T) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			cfg := storetest.Config(t, d)
			ctx := context.Background()
			var wg sync.WaitGroup
			errs := make([]error, 3)
			for i := range errs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					s, err := store.Open(ctx, cfg)
					if err != nil {
						errs[i] = err
						return
					}
					defer s.Close()
					errs[i] = s.Migrate(ctx)
				}()
			}
			wg.Wait()
			for _, err := range errs {
				require.NoError(t, err)
			}
			s, err := store.Open(ctx, cfg)
			require.NoError(t, err)
			defer s.Close()
			require.NoError(t, s.Migrate(ctx), "migrating an up-to-date database is a no-op")
			n, err := s.CountUsers(ctx)
			require.NoError(t, err)
			assert.Equal(t, 0, n)
		})
	}
}

func TestSiteCRUDAndOptimisticConcurrency(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		site, err := s.CreateSite(ctx, org.Site{Name: "Lisbon", Timezone: "Europe/Lisbon"})
		require.NoError(t, err)
		assert.Equal(t, 1, site.Version)

		_, err = s.CreateSite(ctx, org.Site{Name: "Lisbon", Timezone: "Europe/Lisbon"})
		assert.Equal(t, fault.Conflict, fault.CodeOf(err), "duplicate name: %v", err)

		site.Name = "Lisboa"
		updated, err := s.UpdateSite(ctx, site)
		require.NoError(t, err)
		assert.Equal(t, 2, updated.Version)
		assert.Equal(t, "Lisboa", updated.Name)

		site.Name = "Stale write" // still version 1
		_, err = s.UpdateSite(ctx, site)
		assert.Equal(t, fault.Conflict, fault.CodeOf(err), "stale version: %v", err)
		got, err := s.FindSiteByID(ctx, site.ID)
		require.NoError(t, err)
		assert.Equal(t, "Lisboa", got.Name, "a stale update must not overwrite")

		_, err = s.UpdateSite(ctx, org.Site{ID: 9999, Name: "x", Timezone: "UTC", Version: 1})
		assert.Equal(t, fault.NotFound, fault.CodeOf(err))

		team, err := s.CreateTeam(ctx, org.Team{SiteID: site.ID, Name: "Blue"})
		require.NoError(t, err)
		err = s.DeleteSite(ctx, site.ID)
		assert.Equal(t, fault.Conflict, fault.CodeOf(err), "site in use by a team: %v", err)
		require.NoError(t, s.DeleteTeam(ctx, team.ID))
		require.NoError(t, s.DeleteSite(ctx, site.ID))
		assert.Equal(t, fault.NotFound, fault.CodeOf(s.DeleteSite(ctx, site.ID)))
	})
}

func TestAgentsWithSkillsAndFilters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		site, err := s.CreateSite(ctx, org.Site{Name: "Austin", Timezone: "America/Chicago"})
		require.NoError(t, err)
		red, err := s.CreateTeam(ctx, org.Team{SiteID: site.ID, Name: "Red"})
		require.NoError(t, err)
		blue, err := s.CreateTeam(ctx, org.Team{SiteID: site.ID, Name: "Blue"})
		require.NoError(t, err)

		a, err := s.CreateAgent(ctx, org.Agent{Name: "Ana", Email: "Ana@Example.com", Timezone: "America/Chicago", TeamID: &red.ID,
			Contract: org.DefaultContract, Skills: []org.Skill{{Kind: "language", Value: "es", Proficiency: 4}, {Kind: "channel", Value: "voice", Proficiency: 5}}})
		require.NoError(t, err)
		assert.Equal(t, "ana@example.com", a.Email, "emails are stored lower-case")
		assert.Equal(t, []org.Skill{{Kind: "channel", Value: "voice", Proficiency: 5}, {Kind: "language", Value: "es", Proficiency: 4}}, a.Skills)

		_, err = s.CreateAgent(ctx, org.Agent{Name: "Ana 2", Email: "ana@example.com", Timezone: "UTC", Contract: org.DefaultContract})
		assert.Equal(t, fault.Conflict, fault.CodeOf(err), "duplicate email: %v", err)

		b, err := s.CreateAgent(ctx, org.Agent{Name: "Bo", Email: "bo@example.com", Timezone: "Europe/Berlin", TeamID: &blue.ID, Contract: org.DefaultContract})
		require.NoError(t, err)
		assert.Empty(t, b.Skills)

		got, n, err := s.FindAgents(ctx, store.AgentFilter{TeamIDs: []int64{red.ID}})
		require.NoError(t, err)
		assert.Equal(t, 1, n)
		require.Len(t, got, 1)
		assert.Equal(t, a.ID, got[0].ID)
		assert.Len(t, got[0].Skills, 2)

		_, n, err = s.FindAgents(ctx, store.AgentFilter{TeamIDs: []int64{}})
		require.NoError(t, err)
		assert.Equal(t, 0, n, "an empty non-nil filter matches nothing")

		page, n, err := s.FindAgents(ctx, store.AgentFilter{Page: store.Page{Limit: 1, Offset: 1}})
		require.NoError(t, err)
		assert.Equal(t, 2, n)
		require.Len(t, page, 1)
		assert.Equal(t, b.ID, page[0].ID)

		a.Skills = a.Skills[:1]
		a.Name = "Ana María"
		a2, err := s.UpdateAgent(ctx, a)
		require.NoError(t, err)
		assert.Equal(t, "Ana María", a2.Name)
		assert.Len(t, a2.Skills, 1)
		_, err = s.UpdateAgent(ctx, a) // stale
		assert.Equal(t, fault.Conflict, fault.CodeOf(err))

		missing := int64(4242)
		_, err = s.CreateAgent(ctx, org.Agent{Name: "Cy", Email: "cy@example.com", Timezone: "UTC", TeamID: &missing, Contract: org.DefaultContract})
		assert.Equal(t, fault.Conflict, fault.CodeOf(err), "missing team: %v", err)
	})
}

func TestAgentWishesRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a, err := s.CreateAgent(ctx, org.Agent{Name: "Wen", Email: "wen@example.com", Timezone: "Asia/Manila", Contract: org.DefaultContract,
			Availability: []org.Window{{Day: "mon", From: "08:00", To: "16:00"}, {Day: "sat", From: "22:00", To: "06:00"}},
			Preferences:  org.Preferences{ShiftTime: "early", DaysOff: []string{"sun"}}})
		require.NoError(t, err)
		got, err := s.FindAgentByID(ctx, a.ID)
		require.NoError(t, err)
		assert.Equal(t, a.Availability, got.Availability)
		assert.Equal(t, org.Preferences{ShiftTime: "early", DaysOff: []string{"sun"}}, got.Preferences)
		b, err := s.CreateAgent(ctx, org.Agent{Name: "Zed", Email: "zed@example.com", Timezone: "UTC", Contract: org.DefaultContract})
		require.NoError(t, err)
		assert.Equal(t, []org.Window{}, b.Availability, "no windows reads as an empty list")
	})
}
