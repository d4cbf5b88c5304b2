package roster

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/peakwise/peakwise/scheduling"
)

// TestQueuePeaksAreOnEachQueuesOwnClock: a Seoul chat queue's evening peak
// (21:00 KST, 12:00 UTC) is its peak even though a larger Berlin voice
// queue dwarfs it in the summed requirement the plan's clock would read.
func TestQueuePeaksAreOnEachQueuesOwnClock(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	seoul, _ := time.LoadLocation("Asia/Seoul")
	start := time.Date(2027, 1, 11, 0, 0, 0, 0, time.UTC)
	n := 48 // one UTC day of 30-minute intervals
	voice, chat := make([]float64, n), make([]float64, n)
	for i := range n {
		h := float64(i) / 2   // UTC hour
		if h >= 7 && h < 17 { // 08:00-18:00 Berlin, busiest at 10:00
			voice[i] = 120 - 12*math.Abs(h-9)
		}
		if h >= 1 && h < 15 { // 10:00-24:00 Seoul
			chat[i] = 2
			if h >= 11.5 && h < 13 {
				chat[i] = 5 // Seoul's 21:00 peak
			}
		}
	}
	p := &Problem{Start: start, Step: 30 * time.Minute, Location: berlin, Queues: []string{"voice_de", "chat_ko"},
		Required: [][]float64{voice, chat}, QueueLocations: []*time.Location{berlin, seoul}, PeakShare: 0.25}
	peaks := queuePeaks(p)
	noonUTC := 24 // 12:00 UTC = 21:00 KST
	assert.True(t, peaks[1][noonUTC], "Seoul's 21:00 is the chat queue's peak")
	assert.True(t, peaks[0][18], "Berlin's 10:00 is the voice queue's peak")
	assert.False(t, peaks[0][noonUTC], "12:00 UTC is not a voice peak")

	total := make([]float64, n)
	for i := range total {
		total[i] = voice[i] + chat[i]
	}
	old := scheduling.Peaks(berlin, start, p.Step, total, 0.25)
	assert.False(t, old[noonUTC], "the summed requirement on the plan's clock missed Seoul's peak")

	// A queue without a zone of its own reads the plan's clock.
	p.QueueLocations = nil
	assert.Equal(t, scheduling.Peaks(berlin, start, p.Step, chat, 0.25), queuePeaks(p)[1])
}
