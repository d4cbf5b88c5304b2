package web

import (
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/httpx"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/service"
)

func (s *Handler) webUpdateUser(c echo.Context) error {
	p := httpx.Principal(c)
	id, err := httpx.AuthorizedID(c, auth.Users, auth.Update)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	found, err := s.svc.FindUser(ctx, id)
	u := service.UserInput{User: found}
	if err != nil {
		return err
	}
	version, _ := strconv.Atoi(c.FormValue("version"))
	if version != u.Version {
		return s.adminFault(c, fault.Errorf(fault.Conflict, "%s was changed by someone else; reload and retry", u.Email))
	}
	u.Role = org.Role(c.FormValue("role"))
	u.AgentID = nil
	if v := strings.TrimSpace(c.FormValue("agent_id")); v != "" {
		agentID, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return s.adminFault(c, &fault.Error{Code: fault.Invalid, Message: "invalid user", Fields: map[string]string{"agent_id": "choose an agent"}})
		}
		u.AgentID = &agentID
	}
	u.Disabled = c.FormValue("disabled") == "on"
	if id == p.User.ID && (u.Disabled || u.Role != org.RoleAdmin) {
		return s.adminFault(c, &fault.Error{Code: fault.Invalid, Message: "you cannot lock yourself out", Fields: map[string]string{"role": "keep your own account an active admin"}})
	}
	if err := u.Validate(); err != nil {
		return s.adminFault(c, err)
	}
	if _, err := s.svc.UpdateUser(ctx, u); err != nil {
		return s.adminFault(c, err)
	}
	return adminDone(c, "Saved "+u.Email+".")
}
