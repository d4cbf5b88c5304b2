package service_test

import (
	"context"
	"io"
	"log/slog"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/service"
	"github.com/peakwise/peakwise/server/store"
	"github.com/peakwise/peakwise/server/store/storetest"
)

// TestInteractionImportRefusesOutOfBoundsValues: values no real export has
// (a handle time over a day, a resolution over a year, a start before 2000 or
// in the future, overflowing integers) are refused with their place, and
// nothing of the import is written.
func TestInteractionImportRefusesOutOfBoundsValues(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		now := time.Date(2026, 11, 18, 10, 0, 0, 0, time.UTC)
		a, err := st.CreateAgent(ctx, org.Agent{Name: "Ann", Email: "ann@example.com", Timezone: "UTC", Contract: org.DefaultContract})
		require.NoError(t, err)
		svc := service.New(st, slog.New(slog.NewTextHandler(io.Discard, nil)), service.Config{Now: func() time.Time { return now }})
		ok := service.InteractionRecord{ExternalID: "ok-1", Channel: "voice", AgentID: a.ID, StartedAt: now.Add(-time.Hour), HandleSeconds: 300}
		huge := math.MaxInt
		year := 400 * 86_400
		bad := []service.InteractionRecord{
			ok,
			{ExternalID: "b-1", Channel: "voice", AgentID: a.ID, StartedAt: now.Add(-time.Hour), HandleSeconds: huge},
			{ExternalID: "b-2", Channel: "voice", AgentID: a.ID, StartedAt: now.Add(-time.Hour), ResolutionSeconds: &year},
			{ExternalID: "b-3", Channel: "voice", AgentID: a.ID, StartedAt: time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)},
			{ExternalID: "b-4", Channel: "voice", AgentID: a.ID, StartedAt: now.AddDate(1, 0, 0)},
		}
		_, err = svc.ImportInteractions(ctx, bad, nil)
		var fe *fault.Error
		require.ErrorAs(t, err, &fe)
		assert.Equal(t, fault.Unprocessable, fe.Code)
		for _, field := range []string{"interactions[1].handle_seconds", "interactions[2].resolution_seconds", "interactions[3].started_at", "interactions[4].started_at"} {
			assert.Contains(t, fe.Fields, field)
		}
		assert.Len(t, fe.Fields, 4, "the good record is not blamed: %v", fe.Fields)
		_, n, err := st.FindContacts(ctx, store.ContactFilter{})
		require.NoError(t, err)
		assert.Zero(t, n, "nothing of a refused import is written")

		sum, err := svc.ImportInteractions(ctx, bad[:1], nil)
		require.NoError(t, err)
		assert.Equal(t, 1, sum.Created)
	})
}
