package web

import (
	"fmt"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/peakwise/peakwise/server/org"
)

// liveStreamLife bounds one stream; the browser's EventSource opens the next.
const liveStreamLife = 10 * time.Minute

// webLiveEvents streams the live board's changes to the browser as
// server-sent events: "board" when agent states, queue actuals or
// exceptions changed on any replica (at most one every second), and a
// comment every 25 seconds to keep proxies from closing the stream. The
// page reloads its board on each "board".
func (s *Handler) webLiveEvents(c echo.Context) error {
	if err := onlyRoles(c, org.RolePlanner, org.RoleAdmin, org.RoleSupervisor); err != nil {
		return err
	}
	changes, stop := s.svc.SubscribeLive()
	defer stop()
	w := c.Response()
	w.Header().Set(echo.HeaderContentType, "text/event-stream")
	w.Header().Set(echo.HeaderCacheControl, "no-store")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, "retry: 5000\n\n")
	w.Flush()
	keepAlive := time.NewTicker(25 * time.Second)
	defer keepAlive.Stop()
	end := time.After(liveStreamLife)
	var last time.Time
	for n := 1; ; n++ {
		select {
		case <-c.Request().Context().Done():
			return nil
		case <-end:
			return nil
		case <-keepAlive.C:
			fmt.Fprint(w, ": still here\n\n")
		case _, open := <-changes:
			if !open {
				return nil // the server is stopping
			}
			if wait := time.Second - time.Since(last); wait > 0 {
				time.Sleep(wait) // a burst of changes is one reload
			}
			last = time.Now()
			fmt.Fprintf(w, "id: %d\nevent: board\ndata: %s\n\n", n, last.UTC().Format(time.RFC3339))
		}
		w.Flush()
	}
}
