package intraday

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The records in testdata/connect are written from Amazon Connect's published
// agent event stream data model.
func TestConnectEventMapsThePublishedRecords(t *testing.T) {
	agentID := "0f9e8d7c-6b5a-4c3d-9e8f-7a6b5c4d3e2f"
	cases := []struct {
		file string
		want Event
		err  string
	}{
		{"on_call.json", Event{ID: "5c2b6a3e-0001-4b1f-9a77-1f1e2d3c4b5a", Agent: "ana.silva@demo.peakwise.dev", State: OnContact, Queue: "Voice PT", Channel: "voice",
			At: time.Date(2026, 12, 7, 9, 14, 31, 4_000_000, time.UTC)}, ""},
		{"after_contact_work.json", Event{ID: "5c2b6a3e-0002-4b1f-9a77-1f1e2d3c4b5a", Agent: "ana.silva@demo.peakwise.dev", State: AfterContactWork, Queue: "Chat US", Channel: "chat",
			At: time.Date(2026, 12, 7, 9, 20, 0, 0, time.UTC)}, ""},
		{"custom_break.json", Event{ID: "5c2b6a3e-0003-4b1f-9a77-1f1e2d3c4b5a", Agent: agentID, State: Break, Code: "Break",
			At: time.Date(2026, 12, 7, 11, 2, 0, 0, time.UTC)}, ""},
		{"logout.json", Event{ID: "5c2b6a3e-0006-4b1f-9a77-1f1e2d3c4b5a", Agent: agentID, State: LoggedOut,
			At: time.Date(2026, 12, 7, 17, 1, 0, 0, time.UTC)}, ""},
		{"unmapped_status.json", Event{}, `custom agent status "Floor walk" is not mapped to a state; add it to the status mapping`},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", "connect", c.file))
			require.NoError(t, err)
			got, err := ConnectEvent(data, DefaultConnectStatuses())
			if c.err != "" {
				assert.EqualError(t, err, c.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, c.want, got)
			assert.NoError(t, got.Validate(c.want.At))
		})
	}
	data, err := os.ReadFile(filepath.Join("testdata", "connect", "heartbeat.json"))
	require.NoError(t, err)
	_, err = ConnectEvent(data, DefaultConnectStatuses())
	assert.True(t, errors.Is(err, ErrHeartbeat))

	for _, bad := range []string{`{`, `{"EventType":"NOPE"}`, `{"EventType":"STATE_CHANGE","EventId":"x"}`, `{"EventType":"LOGIN","EventTimestamp":"yesterday"}`} {
		_, err := ConnectEvent([]byte(bad), DefaultConnectStatuses())
		assert.Error(t, err, bad)
	}
}

func TestEventValidateNamesEveryProblem(t *testing.T) {
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	err := Event{State: "dancing", At: now.Add(time.Hour)}.Validate(now)
	var fe FieldErrors
	require.ErrorAs(t, err, &fe)
	fields := []string{}
	for _, f := range fe {
		fields = append(fields, f.Field)
	}
	assert.Equal(t, []string{"event_id", "agent", "state", "at"}, fields)
	assert.Error(t, Event{ID: "1", Agent: "a", State: OnContact, At: now}.Validate(now), "on_contact names its queue")
	assert.Error(t, Event{ID: "1", Agent: "a", State: Available, At: now.Add(-25 * time.Hour)}.Validate(now), "a day old")
	assert.NoError(t, Event{ID: "1", Agent: "a", State: Available, At: now.Add(-time.Hour)}.Validate(now))
}

func FuzzConnectEvent(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "connect", "*.json"))
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err == nil {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := ConnectEvent(data, DefaultConnectStatuses())
		if err != nil {
			return
		}
		if !e.State.Valid() {
			t.Fatalf("mapped to an unknown state %q", e.State)
		}
	})
}
