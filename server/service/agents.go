package service

import (
	"context"
	"sort"

	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/store"
)

// AgentsByID loads the agents with those ids (with skills and contracts) in
// a few queries, a page of 500 at a time, instead of one query per agent.
// Ids of agents that do not exist are missing from the map; 0 is ignored.
func (s *Service) AgentsByID(ctx context.Context, ids []int64) (map[int64]org.Agent, error) {
	seen := make(map[int64]bool, len(ids))
	uniq := make([]int64, 0, len(ids))
	for _, id := range ids {
		if id != 0 && !seen[id] {
			seen[id] = true
			uniq = append(uniq, id)
		}
	}
	sort.Slice(uniq, func(i, j int) bool { return uniq[i] < uniq[j] })
	out := make(map[int64]org.Agent, len(uniq))
	const chunk = 500 // the store's largest page
	for i := 0; i < len(uniq); i += chunk {
		part := uniq[i:min(i+chunk, len(uniq))]
		as, _, err := s.store.FindAgents(ctx, store.AgentFilter{IDs: part, Page: store.Page{Limit: chunk}})
		if err != nil {
			return nil, err
		}
		for _, a := range as {
			out[a.ID] = a
		}
	}
	return out, nil
}

// AllAgents lists every agent, page by page.
func (s *Service) AllAgents(ctx context.Context) ([]org.Agent, error) {
	var out []org.Agent
	for page := (store.Page{Limit: 500}); ; page.Offset += page.Limit {
		agents, total, err := s.store.FindAgents(ctx, store.AgentFilter{Page: page})
		if err != nil {
			return nil, err
		}
		out = append(out, agents...)
		if page.Offset+page.Limit >= total {
			return out, nil
		}
	}
}
