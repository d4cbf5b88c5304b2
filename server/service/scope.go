package service

import (
	"context"

	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/store"
)

// ScopedAgentIDs returns the agents a list may show p at scope, or nil when
// p reaches every agent (an empty slice matches none).
func (s *Service) ScopedAgentIDs(ctx context.Context, p auth.Principal, scope auth.Scope) ([]int64, error) {
	switch scope {
	case auth.All:
		return nil, nil
	case auth.Own:
		if p.User.AgentID != nil {
			return []int64{*p.User.AgentID}, nil
		}
	case auth.Team:
		ids := []int64{}
		if p.User.AgentID != nil {
			ids = append(ids, *p.User.AgentID)
		}
		team, err := s.TeamAgents(ctx, p)
		for _, a := range team {
			ids = append(ids, a.ID)
		}
		return ids, err
	}
	return []int64{}, nil
}

// TeamAgents lists the agents of the teams p supervises.
func (s *Service) TeamAgents(ctx context.Context, p auth.Principal) ([]org.Agent, error) {
	var out []org.Agent
	for page := (store.Page{Limit: 500}); ; page.Offset += page.Limit {
		agents, total, err := s.store.FindAgents(ctx, store.AgentFilter{TeamIDs: append([]int64{}, p.TeamIDs...), Page: page})
		if err != nil {
			return nil, err
		}
		out = append(out, agents...)
		if page.Offset+page.Limit >= total {
			return out, nil
		}
	}
}
