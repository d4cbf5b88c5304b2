package server_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/store"
	"github.com/peakwise/peakwise/server/store/storetest"
)

// The cancel endpoint: only for runs that are still running, only for
// planners and admins, and a run it stops stays stopped.
func TestCancelRunEndpoint(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		w := newWorld(t, st)
		res := w.as(org.RoleAdmin, http.MethodPost, "/api/v1/jobs/housekeeping/runs", nil)
		require.Equal(t, http.StatusAccepted, res.Status, "%s", res.Body)
		id := itoa(int64(res.json(t)["id"].(float64)))
		require.Eventually(t, func() bool {
			return w.as(org.RolePlanner, http.MethodGet, "/api/v1/jobs/runs/"+id, nil).json(t)["status"] != "running"
		}, 30*time.Second, 50*time.Millisecond)
		assert.Equal(t, "succeeded", w.as(org.RolePlanner, http.MethodGet, "/api/v1/jobs/runs/"+id, nil).json(t)["status"])

		assert.Equal(t, http.StatusConflict, w.as(org.RolePlanner, http.MethodPost, "/api/v1/jobs/runs/"+id+"/cancel", nil).Status, "it has ended")
		assert.Equal(t, http.StatusNotFound, w.as(org.RolePlanner, http.MethodPost, "/api/v1/jobs/runs/999999/cancel", nil).Status)
		assert.Equal(t, http.StatusForbidden, w.as(org.RoleAgent, http.MethodPost, "/api/v1/jobs/runs/"+id+"/cancel", nil).Status)
		assert.Equal(t, http.StatusForbidden, w.as(org.RoleQAReviewer, http.MethodPost, "/api/v1/jobs/runs/"+id+"/cancel", nil).Status)
	})
}
