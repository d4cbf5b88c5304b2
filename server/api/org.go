package api

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/httpx"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/service"
	"github.com/peakwise/peakwise/server/store"
)

// userBody is a user as the API reads and writes it: a password may be given on create.
type userBody struct {
	org.User
	Password string `json:"password,omitempty"`
}

func (s *API) findUserBody(ctx context.Context, id int64) (userBody, error) {
	u, err := s.svc.FindUser(ctx, id)
	return userBody{User: u}, err
}

func (s *API) createUser(ctx context.Context, p auth.Principal, u userBody) (userBody, error) {
	out, err := s.svc.CreateUser(ctx, p, service.UserInput(u))
	return userBody{User: out}, err
}

func (s *API) updateUser(ctx context.Context, p auth.Principal, u userBody) (userBody, error) {
	out, err := s.svc.UpdateUser(ctx, p, service.UserInput(u))
	return userBody{User: out}, err
}

type passwordBody struct {
	Password string `json:"password"`
}

func (s *API) handleSetPassword(c echo.Context) error {
	id, err := httpx.AuthorizedID(c, auth.Users, auth.Update)
	if err != nil {
		return err
	}
	var body passwordBody
	if err := decodeJSON(c, &body); err != nil {
		return err
	}
	if err := s.svc.SetPassword(c.Request().Context(), httpx.Principal(c), id, body.Password); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// sitesCRUD is the sites resource served under /sites.
func (s *API) sitesCRUD() crud[org.Site] {
	st := s.svc
	return crud[org.Site]{
		res: auth.Sites, what: "site", find: st.FindSiteByID, create: st.CreateSite, update: st.UpdateSite, del: st.DeleteSite,
		list: func(ctx context.Context, _ auth.Principal, p store.Page) ([]org.Site, int, error) {
			return st.FindSites(ctx, p)
		},
		meta: func(v *org.Site) (*int64, *int) { return &v.ID, &v.Version },
	}
}

// teamsCRUD is the teams resource served under /teams.
func (s *API) teamsCRUD() crud[org.Team] {
	st := s.svc
	return crud[org.Team]{
		res: auth.Teams, what: "team", find: st.FindTeamByID, create: st.CreateTeam, update: st.UpdateTeam, del: st.DeleteTeam,
		list: func(ctx context.Context, _ auth.Principal, p store.Page) ([]org.Team, int, error) {
			return st.FindTeams(ctx, store.TeamFilter{Page: p})
		},
		meta: func(v *org.Team) (*int64, *int) { return &v.ID, &v.Version },
	}
}

// channelsCRUD is the channels resource served under /channels.
func (s *API) channelsCRUD() crud[org.Channel] {
	st := s.svc
	return crud[org.Channel]{
		res: auth.Channels, what: "channel", find: st.FindChannelByID, create: st.CreateChannel, update: st.UpdateChannel, del: st.DeleteChannel,
		list: func(ctx context.Context, _ auth.Principal, p store.Page) ([]org.Channel, int, error) {
			return st.FindChannels(ctx, p)
		},
		meta: func(v *org.Channel) (*int64, *int) { return &v.ID, &v.Version },
	}
}

// queuesCRUD is the queues resource served under /queues.
func (s *API) queuesCRUD() crud[org.Queue] {
	st := s.svc
	return crud[org.Queue]{
		res: auth.Queues, what: "queue", find: st.FindQueueByID, create: st.CreateQueue, update: st.UpdateQueue, del: st.DeleteQueue,
		list: func(ctx context.Context, _ auth.Principal, p store.Page) ([]org.Queue, int, error) {
			return st.FindQueues(ctx, p)
		},
		defaults: org.Queue.WithDefaults,
		meta:     func(v *org.Queue) (*int64, *int) { return &v.ID, &v.Version },
	}
}

// agentsCRUD is the agents resource served under /agents.
func (s *API) agentsCRUD() crud[org.Agent] {
	st := s.svc
	return crud[org.Agent]{
		res: auth.Agents, what: "agent", find: st.FindAgentByID, create: st.CreateAgent, update: st.UpdateAgent, del: st.DeleteAgent,
		list:  s.svc.ListAgents,
		owner: func(a org.Agent) auth.Owner { return auth.Owner{AgentID: &a.ID, TeamID: a.TeamID} },
		meta:  func(v *org.Agent) (*int64, *int) { return &v.ID, &v.Version },
	}
}

// specialDaysCRUD is the special-days resource served under /special-days.
func (s *API) specialDaysCRUD() crud[org.SpecialDay] {
	st := s.svc
	return crud[org.SpecialDay]{
		res: auth.SpecialDays, what: "special day", find: st.FindSpecialDayByID, create: st.CreateSpecialDay, update: st.UpdateSpecialDay, del: st.DeleteSpecialDay,
		list: func(ctx context.Context, _ auth.Principal, p store.Page) ([]org.SpecialDay, int, error) {
			return st.FindSpecialDays(ctx, store.SpecialDayFilter{Page: p})
		},
		meta: func(v *org.SpecialDay) (*int64, *int) { return &v.ID, &v.Version },
	}
}

// usersCRUD is the users resource served under /users.
func (s *API) usersCRUD() crud[userBody] {
	st := s.svc
	return crud[userBody]{
		res: auth.Users, what: "user", find: s.findUserBody, create: s.createUser, update: s.updateUser, del: st.DeleteUser,
		list: func(ctx context.Context, _ auth.Principal, p store.Page) ([]userBody, int, error) {
			users, n, err := st.FindUsers(ctx, store.UserFilter{Page: p})
			out := make([]userBody, len(users))
			for i, u := range users {
				out[i] = userBody{User: u}
			}
			return out, n, err
		},
		meta: func(v *userBody) (*int64, *int) { return &v.ID, &v.Version },
	}
}
