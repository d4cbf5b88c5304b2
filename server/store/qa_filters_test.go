package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/peakwise/peakwise/qa"
	"github.com/peakwise/peakwise/server/demo"
	"github.com/peakwise/peakwise/server/store"
	"github.com/peakwise/peakwise/server/store/storetest"
)

// TestQAFiltersNarrowInteractionsAndEvaluations checks the filters the
// interaction picker and the evaluation queue use, on the demo's records:
// every row returned matches, and a row that matches is returned.
func TestQAFiltersNarrowInteractionsAndEvaluations(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		now := time.Date(2026, 3, 4, 12, 0, 0, 0, time.UTC)
		_, err := demo.Seed(ctx, st, 42, now)
		require.NoError(t, err)
		all, total, err := st.FindContacts(ctx, store.ContactFilter{Page: store.Page{Limit: 500}})
		require.NoError(t, err)
		require.NotEmpty(t, all)
		pick := all[len(all)/2]
		require.NotNil(t, pick.TeamID)

		t.Run("search by part of the external id or customer, any case", func(t *testing.T) {
			part := strings.ToUpper(pick.ExternalID[len(pick.ExternalID)/2:])
			got, n, err := st.FindContacts(ctx, store.ContactFilter{Search: part, Page: store.Page{Limit: 500}})
			require.NoError(t, err)
			assert.Equal(t, len(got), n)
			assert.Contains(t, ids(got), pick.ID)
			for _, c := range got {
				assert.True(t, strings.Contains(strings.ToLower(c.ExternalID), strings.ToLower(part)) || strings.Contains(strings.ToLower(c.Customer), strings.ToLower(part)), c.ExternalID)
			}
			if pick.Customer != "" {
				got, _, err = st.FindContacts(ctx, store.ContactFilter{Search: strings.ToLower(pick.Customer), Page: store.Page{Limit: 500}})
				require.NoError(t, err)
				assert.Contains(t, ids(got), pick.ID)
			}
			// LIKE's wildcards are taken literally.
			got, n, err = st.FindContacts(ctx, store.ContactFilter{Search: "%", Page: store.Page{Limit: 500}})
			require.NoError(t, err)
			assert.Zero(t, n, "no demo id or customer holds a %%")
			assert.Empty(t, got)
		})
		t.Run("team, newest first", func(t *testing.T) {
			got, n, err := st.FindContacts(ctx, store.ContactFilter{TeamID: *pick.TeamID, Newest: true, Page: store.Page{Limit: 500}})
			require.NoError(t, err)
			assert.Less(t, n, total, "the demo has more than one team")
			assert.Contains(t, ids(got), pick.ID)
			for i, c := range got {
				assert.Equal(t, *pick.TeamID, *c.TeamID)
				if i > 0 {
					assert.False(t, c.StartedAt.After(got[i-1].StartedAt), "newest first")
				}
			}
		})

		evals, etotal, err := st.FindEvaluations(ctx, store.EvaluationFilter{Page: store.Page{Limit: 500}})
		require.NoError(t, err)
		require.NotEmpty(t, evals)
		e := evals[len(evals)/2]
		sc, err := st.FindScorecardByID(ctx, e.ScorecardID)
		require.NoError(t, err)
		t.Run("evaluations soonest due first", func(t *testing.T) {
			got, n, err := st.FindEvaluations(ctx, store.EvaluationFilter{ByDue: true, Page: store.Page{Limit: 500}})
			require.NoError(t, err)
			assert.Equal(t, etotal, n)
			dated := 0
			for i, g := range got {
				if g.DueAt != nil {
					dated++
				}
				if i == 0 {
					continue
				}
				prev := got[i-1]
				if g.DueAt != nil {
					require.NotNil(t, prev.DueAt, "those without a due time come last")
					assert.False(t, g.DueAt.Before(*prev.DueAt), "soonest first")
				}
			}
			assert.NotZero(t, dated, "the demo's drafts have due times")
		})
		t.Run("evaluations by team, scorecard family and creation time", func(t *testing.T) {
			require.NotNil(t, e.TeamID)
			got, n, err := st.FindEvaluations(ctx, store.EvaluationFilter{TeamID: *e.TeamID, ScorecardFamilyID: sc.FamilyID,
				From: e.CreatedAt, To: e.CreatedAt.Add(time.Second), Page: store.Page{Limit: 500}})
			require.NoError(t, err)
			assert.Equal(t, len(got), n)
			assert.LessOrEqual(t, n, etotal)
			found := false
			for _, g := range got {
				found = found || g.ID == e.ID
				assert.Equal(t, *e.TeamID, *g.TeamID)
				assert.False(t, g.CreatedAt.Before(e.CreatedAt))
			}
			assert.True(t, found, "the evaluation matches its own team, scorecard and time")
			got, _, err = st.FindEvaluations(ctx, store.EvaluationFilter{ScorecardFamilyID: sc.FamilyID + 1000, Page: store.Page{Limit: 500}})
			require.NoError(t, err)
			assert.Empty(t, got)
			got, _, err = st.FindEvaluations(ctx, store.EvaluationFilter{To: e.CreatedAt, Page: store.Page{Limit: 500}})
			require.NoError(t, err)
			for _, g := range got {
				assert.True(t, g.CreatedAt.Before(e.CreatedAt))
			}
		})
	})
}

func ids(cs []qa.Contact) []int64 {
	out := make([]int64, len(cs))
	for i, c := range cs {
		out[i] = c.ID
	}
	return out
}
