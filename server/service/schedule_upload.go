package service

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/peakwise/peakwise/scheduling/calendar"
	"github.com/peakwise/peakwise/server/fault"
)

// DraftFromCSV reads the shifts of draft d from a schedule file (as
// `peakwise schedule` writes it; see calendar.ReadShiftsCSV) and resolves each
// row's agent by email or id. Every bad cell and unknown agent is reported by
// line ("line N.field"), and then nothing is returned. lines gives each
// shift's file line, for CreateDraft's own checks.
func (s *Service) DraftFromCSV(ctx context.Context, d Draft, r io.Reader) (Draft, []int, error) {
	rows, err := calendar.ReadShiftsCSV(r)
	problems := map[string]string{}
	var fe *calendar.FileError
	switch {
	case errors.As(err, &fe) && len(fe.Problems) > 0:
		rows = fe.Rows // to report unknown agents too
		for _, p := range fe.Problems {
			if key := p.Where() + "." + p.Field; problems[key] == "" {
				problems[key] = p.Reason
			}
		}
	case errors.As(err, &fe):
		return d, nil, fault.Errorf(fault.Unprocessable, "%s", fe.Message)
	case err != nil:
		return d, nil, err
	}
	agentIDs := map[string]int64{}
	lines := make([]int, 0, len(rows))
	d.Shifts = make([]calendar.Shift, 0, len(rows))
	for _, row := range rows {
		sh := row.Shift
		if row.Agent != "" {
			id, seen := agentIDs[row.Agent]
			if !seen {
				if id, err = s.ResolveAgent(ctx, row.Agent); err != nil {
					problems[fmt.Sprintf("line %d.agent", row.Line)] = err.Error()
				}
				agentIDs[row.Agent] = id
			}
			sh.AgentID = id
		}
		d.Shifts = append(d.Shifts, sh)
		lines = append(lines, row.Line)
	}
	if len(problems) > 0 {
		return d, nil, &fault.Error{Code: fault.Unprocessable, Message: fmt.Sprintf("%d problem(s) in the file; nothing was saved", len(problems)), Fields: problems}
	}
	return d, lines, nil
}
