package service

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/store"
)

func TestRequirementsCacheIsBoundedAndHandsOutCopies(t *testing.T) {
	c := newRequirementsCache(2)
	t0 := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	key := func(forecastID int64) requirementsKey {
		return newRequirementsKey(org.Queue{ID: 1, ServiceLevelPct: 80}, org.Realtime, store.Forecast{ID: forecastID, CreatedAt: t0}, t0, t0.Add(time.Hour))
	}
	for id := int64(1); id <= 3; id++ {
		c.put(key(id), Requirements{ForecastID: id, Intervals: []RequirementInterval{{RequiredStaff: int(id)}}})
	}
	_, ok := c.get(key(1))
	assert.False(t, ok, "the least recently used entry is evicted beyond the bound")
	got, ok := c.get(key(2))
	require.True(t, ok)
	assert.Equal(t, int64(2), got.ForecastID)
	got.Intervals[0].RequiredStaff = 99
	again, _ := c.get(key(2))
	assert.Equal(t, 2, again.Intervals[0].RequiredStaff, "a caller changing its copy does not change the cache")

	c.put(key(4), Requirements{ForecastID: 4})
	_, ok = c.get(key(2))
	assert.True(t, ok, "reading an entry makes it recent")
	_, ok = c.get(key(3))
	assert.False(t, ok)

	stamped := func(q org.Queue, f store.Forecast) requirementsKey {
		return newRequirementsKey(q, org.Realtime, f, t0, t0.Add(time.Hour))
	}
	q := org.Queue{ID: 1, ServiceLevelPct: 80, Version: 3, UpdatedAt: t0}
	f := store.Forecast{ID: 7, CreatedAt: t0}
	base := stamped(q, f)
	q2 := q
	q2.UpdatedAt = t0.Add(time.Minute)
	assert.Equal(t, base, stamped(q2, f), "timestamps of the queue are not part of the key")
	q2.Shrinkage = 0.3
	assert.NotEqual(t, base, stamped(q2, f), "a target is")
	f2 := f
	f2.CreatedAt = t0.Add(time.Second)
	assert.NotEqual(t, base, stamped(q, f2), "a reused forecast id with another creation time is another forecast")
	assert.NotEqual(t, base, newRequirementsKey(q, org.Deferred, f, t0, t0.Add(time.Hour)), "so is the channel's kind")
}
