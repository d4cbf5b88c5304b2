package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/peakwise/peakwise/server/store"
	"github.com/peakwise/peakwise/server/store/storetest"
)

func TestAuditTrailCommitsWithItsChange(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		actor := int64(7)
		require.NoError(t, s.AppendAudit(ctx, store.AuditEvent{ActorID: &actor, Entity: "evaluation", EntityID: 1, Action: "rescore",
			Before: store.Snapshot(map[string]float64{"total": 80}), After: store.Snapshot(map[string]float64{"total": 90}), Reason: "dispute accepted"}))
		err := s.Tx(ctx, func(tx *store.Store) error {
			require.NoError(t, tx.AppendAudit(ctx, store.AuditEvent{Entity: "evaluation", EntityID: 1, Action: "rescore"}))
			return errors.New("the change failed")
		})
		require.Error(t, err)
		evs, err := s.FindAudit(ctx, "evaluation", 1)
		require.NoError(t, err)
		require.Len(t, evs, 1, "a rolled-back change leaves no audit entry")
		assert.Equal(t, "dispute accepted", evs[0].Reason)
		assert.JSONEq(t, `{"total":80}`, evs[0].Before)
		assert.Equal(t, &actor, evs[0].ActorID)
		assert.False(t, evs[0].At.IsZero())
	})
}
