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

// userEditForm is one user's row of admin.html: role, agent and whether the
// account is disabled, with the version the row was shown at.
type userEditForm struct {
	Version  int
	Role     org.Role
	AgentID  *int64 // nil: no agent
	Disabled bool
	// badAgent is set when agent_id was sent but is not a number.
	badAgent bool
}

func parseUserEditForm(c echo.Context) userEditForm {
	f := userEditForm{Role: org.Role(c.FormValue("role")), Disabled: c.FormValue("disabled") == "on"}
	f.Version, _ = strconv.Atoi(c.FormValue("version"))
	if v := strings.TrimSpace(c.FormValue("agent_id")); v != "" {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil {
			f.AgentID = &id
		} else {
			f.badAgent = true
		}
	}
	return f
}

// Validate names the fields the form could not read; the user's own rules
// are checked by the use case.
func (f userEditForm) Validate() fault.Fields {
	bad := fault.Fields{}
	if f.badAgent {
		bad.Add("agent_id", "choose an agent")
	}
	return bad
}

// webUpdateUser handles the "POST /admin/users/:id" route.
func (s *Handler) webUpdateUser(c echo.Context) error {
	p := httpx.Principal(c)
	id, err := httpx.AuthorizedID(c, auth.Users, auth.Update)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	u, err := s.svc.FindUser(ctx, id)
	if err != nil {
		return err
	}
	form := parseUserEditForm(c)
	if form.Version != u.Version {
		return s.adminFault(c, fault.Errorf(fault.Conflict, "%s was changed by someone else; reload and retry", u.Email))
	}
	if err := form.Validate().Err("invalid user"); err != nil {
		return s.adminFault(c, err)
	}
	u.Role, u.AgentID, u.Disabled = form.Role, form.AgentID, form.Disabled
	if id == p.User.ID && (u.Disabled || u.Role != org.RoleAdmin) {
		return s.adminFault(c, &fault.Error{Code: fault.Invalid, Message: "you cannot lock yourself out", Fields: map[string]string{"role": "keep your own account an active admin"}})
	}
	if _, err := s.svc.UpdateUser(ctx, p, service.UserInput{User: u}); err != nil {
		return s.adminFault(c, err)
	}
	return adminDone(c, "Saved "+u.Email+".")
}
