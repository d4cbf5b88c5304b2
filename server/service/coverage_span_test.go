package service_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/service"
	"github.com/peakwise/peakwise/server/store"
)

// TestQueueSpanIsTheQueuesOwnWeekInAWholeWeeksPlan: a roster over whole weeks
// on every clock (Seoul's Monday 00:00 to New York's next Monday 00:00)
// measures each queue over its own week; a plan of the plan's own dates
// measures every queue over the whole period.
func TestQueueSpanIsTheQueuesOwnWeekInAWholeWeeksPlan(t *testing.T) {
	ny, _ := time.LoadLocation("America/New_York")
	seoul, _ := time.LoadLocation("Asia/Seoul")
	nyQ := org.Queue{Name: "Voice US", Timezone: "America/New_York"}
	krQ := org.Queue{Name: "Chat KR", Timezone: "Asia/Seoul"}
	weekNY := [2]time.Time{time.Date(2026, 3, 23, 0, 0, 0, 0, ny), time.Date(2026, 3, 30, 0, 0, 0, 0, ny)}
	weekKR := [2]time.Time{time.Date(2026, 3, 23, 0, 0, 0, 0, seoul), time.Date(2026, 3, 30, 0, 0, 0, 0, seoul)}

	whole := store.Schedule{Timezone: "America/New_York", PeriodStart: weekKR[0], PeriodEnd: weekNY[1]}
	from, to := service.QueueSpan(whole, krQ)
	assert.True(t, from.Equal(weekKR[0]) && to.Equal(weekKR[1]), "Seoul's queue: %s to %s", from, to)
	from, to = service.QueueSpan(whole, nyQ)
	assert.True(t, from.Equal(weekNY[0]) && to.Equal(weekNY[1]), "New York's queue: %s to %s", from, to)

	plain := store.Schedule{Timezone: "America/New_York", PeriodStart: weekNY[0], PeriodEnd: weekNY[1]}
	for _, q := range []org.Queue{nyQ, krQ} {
		from, to = service.QueueSpan(plain, q)
		assert.True(t, from.Equal(weekNY[0]) && to.Equal(weekNY[1]), "%s in a plan of New York's week: %s to %s", q.Name, from, to)
	}
}
