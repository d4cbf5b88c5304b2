package demo_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/peakwise/peakwise/server/demo"
	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/store"
	"github.com/peakwise/peakwise/server/store/storetest"
)

func TestSeedIsBelievableAndOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		logins, err := demo.Seed(ctx, st, 42, time.Date(2026, 11, 18, 10, 0, 0, 0, time.UTC))
		require.NoError(t, err)
		roles := map[org.Role]bool{}
		for _, l := range logins {
			roles[l.Role] = true
			assert.GreaterOrEqual(t, len(l.Password), 12)
		}
		assert.Len(t, roles, len(org.Roles), "one sign-in per role")

		_, agents, err := st.FindAgents(ctx, store.AgentFilter{})
		require.NoError(t, err)
		assert.Equal(t, 60, agents)
		sites, _, err := st.FindSites(ctx, store.Page{})
		require.NoError(t, err)
		zones := map[string]bool{}
		for _, s := range sites {
			zones[s.Timezone] = true
		}
		assert.Len(t, zones, 3, "three time zones")
		queues, _, err := st.FindQueues(ctx, store.Page{})
		require.NoError(t, err)
		kinds := map[int64]bool{}
		for _, q := range queues {
			kinds[q.ChannelID] = true
		}
		assert.Len(t, kinds, 3, "voice, chat and email queues")

		sum, err := st.SummarizeHistory(ctx)
		require.NoError(t, err)
		assert.Len(t, sum, 6, "every queue has history")
		queues, _, err = st.FindQueues(ctx, store.Page{})
		require.NoError(t, err)
		zone := map[int64]string{}
		for _, q := range queues {
			zone[q.ID] = q.Timezone
		}
		for _, h := range sum {
			// 26 Aug - 17 Nov 2026: Chicago (1 Nov) and Lisbon (25 Oct) each have a 25-hour day; Manila has no DST.
			want := 12*7*48 + 2
			if zone[h.QueueID] == "Asia/Manila" {
				want = 12 * 7 * 48
			}
			assert.Equal(t, want, h.Intervals, "queue %d in %s", h.QueueID, zone[h.QueueID])
		}
		shifts, err := st.FindShifts(ctx, store.ShiftFilter{Published: true})
		require.NoError(t, err)
		assert.Greater(t, len(shifts), 250, "a published week for 60 agents")

		_, err = demo.Seed(ctx, st, 42, time.Now())
		assert.Equal(t, fault.Conflict, fault.CodeOf(err), "seeding twice is refused")
		again, err := demo.ResetPasswords(ctx, st)
		require.NoError(t, err)
		assert.Len(t, again, len(logins))
		assert.NotEqual(t, logins[0].Password, again[0].Password)
	})
}

// TestSeedRacesOnce: replicas started together with --demo each try to seed;
// exactly one does, the rest are refused, and the center exists once.
func TestSeedRacesOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		const n = 20
		errs := make(chan error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := demo.Seed(ctx, st, uint64(i), time.Date(2026, 11, 18, 10, 0, 0, 0, time.UTC))
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		won := 0
		for err := range errs {
			if err == nil {
				won++
				continue
			}
			assert.Equal(t, fault.Conflict, fault.CodeOf(err), "a losing replica is refused, not failed: %v", err)
		}
		assert.Equal(t, 1, won, "exactly one replica seeds")
		_, agents, err := st.FindAgents(ctx, store.AgentFilter{})
		require.NoError(t, err)
		assert.Equal(t, 60, agents, "the center exists once")
		_, sites, err := st.FindSites(ctx, store.Page{})
		require.NoError(t, err)
		assert.Equal(t, 3, sites)
	})
}
