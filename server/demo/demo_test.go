package demo_test

import (
	"context"
	"testing"

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
		logins, err := demo.Seed(ctx, st, 42)
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

		_, err = demo.Seed(ctx, st, 42)
		assert.Equal(t, fault.Conflict, fault.CodeOf(err), "seeding twice is refused")
		again, err := demo.ResetPasswords(ctx, st)
		require.NoError(t, err)
		assert.Len(t, again, len(logins))
		assert.NotEqual(t, logins[0].Password, again[0].Password)
	})
}
