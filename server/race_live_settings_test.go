package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/store"
	"github.com/peakwise/peakwise/server/store/storetest"
)

// TestRaceLiveSettings saves the live settings by a burst of PUTs, each
// with its own grace and Connect status, based on the version read (the
// first round on version 0, the built-in defaults, so the first save is an
// insert), on the version after it, or on the one before. At most one save
// wins per version and exactly one on the version read; the settings move
// up one version per win and hold the last winner's values; each win is
// audited once, with its own version.
func TestRaceLiveSettings(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		w := newWorld(t, st)
		ctx := context.Background()
		mapping := map[string]any{"work": []string{"available", "on_contact", "after_contact_work"}, "break": []string{"break"}, "lunch": []string{"lunch"},
			"meeting": []string{"meeting"}, "training": []string{"training"}, "coaching": []string{"coaching"}}
		audited := 0
		for r := 0; r < raceRounds(t); r++ {
			res := w.as(org.RoleAdmin, http.MethodGet, "/api/v1/live-settings", nil)
			require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
			read := int(res.json(t)["version"].(float64))
			versions := make([]int, raceWidth)
			for i := range versions {
				versions[i] = read + []int{0, 0, 1, -1}[i%4]
			}
			status := func(i int) string { return fmt.Sprintf("race %d-%d", r, i) }
			hits := burst(raceWidth, func(i int) hit {
				body := map[string]any{"version": versions[i], "grace_minutes": i + 1, "mapping": mapping,
					"connect_statuses": map[string]any{status(i): "break"}}
				return call(http.MethodPut, w.srv.URL+"/api/v1/live-settings", body, w.bearer(org.RoleAdmin))
			})
			n := tally(t, hits, 200, 409)
			wins := map[int]int{} // version sent -> wins
			last, lastVersion := -1, -1
			for i, h := range hits {
				if h.Status != 200 {
					continue
				}
				wins[versions[i]]++
				var got struct{ Version int }
				require.NoError(t, json.Unmarshal(h.Body, &got))
				assert.Equal(t, versions[i]+1, got.Version, "round %d: a save moves its version up by one: %s", r, h)
				if got.Version > lastVersion {
					last, lastVersion = i, got.Version
				}
			}
			assert.Equal(t, 1, wins[read], "round %d: exactly one save on the version read: %v", r, hits)
			for v, k := range wins {
				assert.LessOrEqual(t, k, 1, "round %d: at most one save wins on version %d", r, v)
			}
			assert.Zero(t, wins[read-1], "round %d: a save on a stale version won", r)
			if wins[read+1] == 1 {
				assert.Equal(t, 1, wins[read], "round %d: version %d was saved only after version %d", r, read+1, read)
			}

			row, err := st.FindLiveSettings(ctx)
			require.NoError(t, err)
			assert.Equal(t, read+n[200], row.Version, "round %d: one version per winning save", r)
			if last >= 0 {
				assert.Equal(t, (last+1)*60, row.GraceSeconds, "round %d: the last winner's settings are stored", r)
				assert.JSONEq(t, fmt.Sprintf(`{%q: "break"}`, status(last)), row.ConnectStatuses, "round %d: nothing of another save mixed in", r)
			}

			audited += n[200]
			evs, err := st.FindAudit(ctx, "live_settings", 1)
			require.NoError(t, err)
			seen := map[int]bool{}
			for _, e := range evs {
				var after struct{ Version int }
				require.NoError(t, json.Unmarshal([]byte(e.After), &after))
				assert.False(t, seen[after.Version], "round %d: version %d audited twice", r, after.Version)
				seen[after.Version] = true
			}
			assert.Len(t, evs, audited, "round %d: one audit row per winning save", r)
		}
	})
}
