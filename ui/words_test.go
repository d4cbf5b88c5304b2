package ui

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestDurationSaysSpansInWords(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{
		{0, "0 s"},
		{1300 * time.Millisecond, "1.3 s"},
		{20 * time.Second, "20 s"},
		{90 * time.Second, "1 min 30 s"},
		{5 * time.Minute, "5 min"},
		{90 * time.Minute, "90 min"},
		{2 * time.Hour, "2 h"},
		{7*time.Hour + 30*time.Minute, "7 h 30 min"},
		{24 * time.Hour, "24 h"},
		{48 * time.Hour, "2 d"},
		{14 * 24 * time.Hour, "14 d"},
		{-90 * time.Minute, "-90 min"},
	} {
		t.Run(tc.want, func(t *testing.T) { assert.Equal(t, tc.want, Duration(tc.d)) })
	}
	assert.Equal(t, "24 h", Seconds(86400))
}

func TestServiceTargetAndMethodName(t *testing.T) {
	assert.Equal(t, "90% answered within 24 h", ServiceTarget(90, 0, 86400))
	assert.Equal(t, "80% answered within 20 s", ServiceTarget(80, 20, 0))
	assert.Equal(t, "Seasonal naive + double-seasonal Holt-Winters + EWM blend", MethodName("snaive+dshw+ewm"))
	assert.Equal(t, "Double-seasonal Holt-Winters", MethodName("dshw"))
	assert.Equal(t, "snaive+mystery", MethodName("snaive+mystery"), "an unknown code stays as it is")
	assert.Equal(t, `<span title="mean4">4-week mean</span>`, string(methodHTML("mean4")))
}

func TestPeriodSaysTimesOnlyWhenNotMidnight(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	seoul, err := time.LoadLocation("Asia/Seoul")
	if err != nil {
		t.Fatal(err)
	}
	monday := time.Date(2026, 3, 23, 0, 0, 0, 0, ny)
	assert.Equal(t, "23 Mar – 30 Mar 2026", Period(monday, monday.AddDate(0, 0, 7), ny))
	// Seoul's Monday to New York's next Monday, on New York's clock.
	assert.Equal(t, "Sun 22 Mar 11:00 – Mon 30 Mar 2026 00:00", Period(time.Date(2026, 3, 23, 0, 0, 0, 0, seoul), monday.AddDate(0, 0, 7), ny))
	// Across the change to summer time the start names its own zone.
	assert.Equal(t, "Sun 1 Mar 10:00 EST – Mon 9 Mar 2026 00:00", Period(time.Date(2026, 3, 2, 0, 0, 0, 0, seoul), time.Date(2026, 3, 9, 0, 0, 0, 0, ny), ny))
}
