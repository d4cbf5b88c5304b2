package calendar

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const goodSchedule = `agent,template,start,end,paid_minutes,breaks,queue
ana@example.com,FT8,2026-03-02T08:00:00-05:00,2026-03-02T16:30:00-05:00,480,2026-03-02T12:00:00-05:00/2026-03-02T12:30:00-05:00,Voice EN
,PT4,2026-03-02T09:00:00Z,2026-03-02T13:00:00Z,240,,
`

func TestReadShiftsCSVReadsWhatScheduleWrites(t *testing.T) {
	rows, err := ReadShiftsCSV(strings.NewReader(goodSchedule))
	require.NoError(t, err)
	require.Len(t, rows, 2)
	assert.Equal(t, 2, rows[0].Line)
	assert.Equal(t, "ana@example.com", rows[0].Agent)
	assert.Equal(t, "Voice EN", rows[0].Queue)
	assert.Equal(t, "FT8", rows[0].Shift.Template)
	assert.Equal(t, 480, rows[0].Shift.PaidMinutes)
	assert.True(t, rows[0].Shift.Start.Equal(time.Date(2026, 3, 2, 13, 0, 0, 0, time.UTC)))
	require.Len(t, rows[0].Shift.Breaks, 1)
	assert.Equal(t, 30*time.Minute, rows[0].Shift.Breaks[0].End.Sub(rows[0].Shift.Breaks[0].Start))
	assert.Empty(t, rows[1].Agent)
	assert.Empty(t, rows[1].Shift.Breaks)
}

func TestReadShiftsCSVNamesEveryBadCellByLine(t *testing.T) {
	for name, tc := range map[string]struct {
		file, want string
	}{
		"empty":            {"", "the file is empty"},
		"header":           {"agent,start,end\n", `lacks the "paid_minutes" column`},
		"quote":            {"agent,start,end,paid_minutes\na\"b,x,y,1\n", "line 2"},
		"bad start":        {"agent,start,end,paid_minutes\na,monday,2026-03-02T16:00:00Z,60\n", "line 2, start"},
		"far future":       {"agent,start,end,paid_minutes\na,3026-03-02T08:00:00Z,3026-03-02T16:00:00Z,60\n", "outside the years"},
		"too long":         {"agent,start,end,paid_minutes\na,2026-03-02T08:00:00Z,2026-03-04T08:00:00Z,60\n", "at most 24 hours"},
		"backwards":        {"agent,start,end,paid_minutes\na,2026-03-02T08:00:00Z,2026-03-02T07:00:00Z,60\n", "line 2, end"},
		"huge paid":        {"agent,start,end,paid_minutes\na,2026-03-02T08:00:00Z,2026-03-02T09:00:00Z,1e308\n", "line 2, paid_minutes"},
		"paid above span":  {"agent,start,end,paid_minutes\na,2026-03-02T08:00:00Z,2026-03-02T09:00:00Z,61\n", "from 0 to the shift's length"},
		"break outside":    {"agent,start,end,paid_minutes,breaks\na,2026-03-02T08:00:00Z,2026-03-02T09:00:00Z,60,2026-03-02T09:30:00Z/2026-03-02T09:45:00Z\n", "outside the shift"},
		"break not a pair": {"agent,start,end,paid_minutes,breaks\na,2026-03-02T08:00:00Z,2026-03-02T09:00:00Z,60,noon\n", "START/END"},
		"long template":    {"agent,template,start,end,paid_minutes\na," + strings.Repeat("x", 101) + ",2026-03-02T08:00:00Z,2026-03-02T09:00:00Z,60\n", "at most 100"},
		"control char":     {"agent,start,end,paid_minutes\n\"a\x00b\",2026-03-02T08:00:00Z,2026-03-02T09:00:00Z,60\n", "control character"},
	} {
		t.Run(name, func(t *testing.T) {
			rows, err := ReadShiftsCSV(strings.NewReader(tc.file))
			require.Error(t, err)
			assert.Nil(t, rows, "nothing of a refused file is returned")
			var fe *FileError
			require.True(t, errors.As(err, &fe), "%T", err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestReadShiftsCSVRefusesFilesBeyondItsBounds(t *testing.T) {
	var b strings.Builder
	b.WriteString("agent,start,end,paid_minutes\n")
	for i := 0; i <= MaxPlanShifts; i++ {
		b.WriteString("a,2026-03-02T08:00:00Z,2026-03-02T09:00:00Z,60\n")
	}
	_, err := ReadShiftsCSV(strings.NewReader(b.String()))
	assert.ErrorContains(t, err, "at most 100000 shifts")
}

// FuzzReadShiftsCSV: whatever the bytes, the reader returns either an error
// and no rows, or rows that all lie within the file's bounds.
func FuzzReadShiftsCSV(f *testing.F) {
	f.Add(goodSchedule)
	f.Add("agent,start,end,paid_minutes\na\"b,x,y,1\n")
	f.Add("agent,start,end,paid_minutes\na,2026-03-02T08:00:00Z,2026-03-02T09:00:00Z,1e308\n")
	f.Add("agent,start,end,paid_minutes,breaks\na,2026-03-02T08:00:00Z,2026-03-02T09:00:00Z,60,2026-03-02T08:30:00Z/2026-03-02T08:45:00Z;;\n")
	f.Fuzz(func(t *testing.T, file string) {
		rows, err := ReadShiftsCSV(strings.NewReader(file))
		if err != nil {
			if rows != nil {
				t.Fatalf("rows returned with an error: %v", err)
			}
			return
		}
		for _, r := range rows {
			s := r.Shift
			if !s.End.After(s.Start) || s.End.Sub(s.Start) > MaxShiftLength {
				t.Fatalf("line %d: span %s", r.Line, s.End.Sub(s.Start))
			}
			if s.Start.UTC().Year() < earliestShiftYear || s.End.UTC().Year() >= latestShiftYear {
				t.Fatalf("line %d: year out of bounds", r.Line)
			}
			if s.PaidMinutes < 0 || time.Duration(s.PaidMinutes)*time.Minute > s.End.Sub(s.Start) {
				t.Fatalf("line %d: paid %d", r.Line, s.PaidMinutes)
			}
			if len(s.Breaks) > MaxBreaksPerShift {
				t.Fatalf("line %d: %d breaks", r.Line, len(s.Breaks))
			}
			for _, b := range s.Breaks {
				if !b.End.After(b.Start) || b.Start.Before(s.Start) || b.End.After(s.End) {
					t.Fatalf("line %d: break outside", r.Line)
				}
			}
			if len(r.Agent) > 4*MaxAgentRefLength || len(s.Template) > 4*MaxNameLength || len(r.Queue) > 4*MaxNameLength {
				t.Fatalf("line %d: long text", r.Line)
			}
		}
	})
}
