package service

import (
	"context"
	"hash/fnv"
	"time"

	"github.com/peakwise/peakwise/intraday"
	"github.com/peakwise/peakwise/server/store"
)

// ReplayDay simulates the agents' published shifts that start on day (a
// UTC date) with intraday.SimulateDay and ingests the events that happened
// by until: the demo's live day. The seed is the day's, so a replay sent
// again stores nothing twice. `peakwise acd replay` does the same for a
// server elsewhere, through the API.
func (s *Service) ReplayDay(ctx context.Context, day, until time.Time) (IngestResult, error) {
	day = day.UTC().Truncate(24 * time.Hour)
	agents, err := s.AllAgents(ctx)
	if err != nil {
		return IngestResult{}, err
	}
	ids := make([]int64, len(agents))
	for i, a := range agents {
		ids[i] = a.ID
	}
	shifts, err := s.store.FindShifts(ctx, store.ShiftFilter{Published: true, AgentIDs: ids, From: day.Add(-14 * time.Hour), To: day.Add(38 * time.Hour), Lean: true})
	if err != nil {
		return IngestResult{}, err
	}
	queues, _, err := s.store.FindQueues(ctx, store.Page{Limit: 500})
	if err != nil {
		return IngestResult{}, err
	}
	queueName := map[int64]string{}
	for _, q := range queues {
		queueName[q.ID] = q.Name
	}
	byAgent := map[int64]*intraday.SimAgent{}
	var order []int64
	email := map[int64]string{}
	for _, a := range agents {
		email[a.ID] = a.Email
	}
	for _, sh := range shifts {
		if sh.Start.Before(day) || !sh.Start.Before(day.Add(24*time.Hour)) {
			continue
		}
		sa, ok := byAgent[sh.AgentID]
		if !ok {
			sa = &intraday.SimAgent{Ref: email[sh.AgentID], Queue: queueName[sh.QueueID]}
			if sa.Queue == "" && len(queues) > 0 {
				sa.Queue = queues[0].Name
			}
			byAgent[sh.AgentID] = sa
			order = append(order, sh.AgentID)
		}
		sa.Plan = append(sa.Plan, PlannedActivities(sh)...)
	}
	sim := make([]intraday.SimAgent, len(order))
	for i, id := range order {
		sim[i] = *byAgent[id]
	}
	h := fnv.New64a()
	_, _ = h.Write([]byte(day.Format(time.DateOnly)))
	opt := intraday.DefaultSim
	opt.Seed = h.Sum64()
	events := intraday.SimulateDay(sim, opt)
	var due []intraday.Event
	now := s.now()
	for _, e := range events {
		if !e.At.After(until) && !e.At.Before(now.Add(-intraday.MaxEventAge)) {
			due = append(due, e)
		}
	}
	total := IngestResult{Errors: []EventError{}}
	for i := 0; i < len(due); i += MaxEventBatch {
		res, err := s.IngestAgentEvents(ctx, due[i:min(i+MaxEventBatch, len(due))])
		if err != nil {
			return total, err
		}
		total.Received += res.Received
		total.Stored += res.Stored
		total.Duplicates += res.Duplicates
		total.Rejected += res.Rejected
		total.Errors = append(total.Errors, res.Errors...)
	}
	return total, nil
}
