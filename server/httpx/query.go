package httpx

import (
	"fmt"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/service"
)

// TimeRange reads ?from= and ?to= (RFC 3339 or YYYY-MM-DD in UTC), with defaults.
func TimeRange(c echo.Context, defFrom, defTo time.Time) (time.Time, time.Time, error) {
	parse := func(name string, def time.Time) (time.Time, error) {
		v := c.QueryParam(name)
		if v == "" {
			return def, nil
		}
		if t, err := time.Parse(time.RFC3339, v); err == nil {
			return t, nil
		}
		if t, err := time.Parse(time.DateOnly, v); err == nil {
			return t, nil
		}
		return time.Time{}, &fault.Error{Code: fault.Invalid, Message: "bad time range", Fields: map[string]string{name: fmt.Sprintf("%q is not an RFC 3339 time or a date", v)}}
	}
	from, err := parse("from", defFrom)
	if err != nil {
		return from, from, err
	}
	to, err := parse("to", defTo)
	if err == nil && !from.IsZero() && !to.IsZero() && !to.After(from) {
		err = &fault.Error{Code: fault.Invalid, Message: "bad time range", Fields: map[string]string{"to": "must be after from"}}
	}
	return from, to, err
}

// TrendQuery reads a trends request: ?agent_id= or ?team_id=, ?from=, ?to=.
func TrendQuery(c echo.Context) (service.TrendQuery, error) {
	var q service.TrendQuery
	for _, p := range []struct {
		name string
		dst  **int64
	}{{"agent_id", &q.AgentID}, {"team_id", &q.TeamID}} {
		v := c.QueryParam(p.name)
		if v == "" {
			continue
		}
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return q, fault.Errorf(fault.Invalid, "%s must be a number", p.name)
		}
		*p.dst = &id
		break // agent_id wins over team_id
	}
	var err error
	q.From, q.To, err = TimeRange(c, time.Time{}, time.Time{})
	return q, err
}
