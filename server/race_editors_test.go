package server_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/peakwise/peakwise/qa"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/store"
	"github.com/peakwise/peakwise/server/store/storetest"
)

// postForm sends a page's form as a browser would, without testing.T, so
// goroutines may use it; the client follows the redirect after a save.
func postForm(c *http.Client, u string, form url.Values) hit {
	h := hit{Start: time.Now()}
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		return hit{Body: []byte(err.Error())}
	}
	req.Header.Set("Accept", "text/html")
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := c.Do(req)
	if err != nil {
		return hit{Body: []byte(err.Error()), Start: h.Start, End: time.Now()}
	}
	defer res.Body.Close()
	var b strings.Builder
	_, _ = fmt.Fprint(&b, res.Request.URL.Path)
	return hit{Status: res.StatusCode, Body: []byte(b.String()), Start: h.Start, End: time.Now()}
}

// TestRaceTemplateSetEditorSaves saves one shift template set by a burst
// of the editor's forms opened on the version read (each with its own
// description), some on the version before it: exactly one save wins per
// round, the set moves up one version, it holds the winner's description,
// nothing of the others', and each win is audited once.
func TestRaceTemplateSetEditorSaves(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		w := newWorld(t, st)
		pc, csrf := signIn(t, w, "planner@example.com")
		status, path, body := page(t, pc, "POST", w.srv.URL+"/planner/templates/new", templateForm(csrf, "save"))
		require.Equal(t, http.StatusOK, status, "%s", body)
		require.Equal(t, "/planner/templates", path)
		sets, _, err := st.FindTemplateSets(ctx, store.Page{Limit: 50})
		require.NoError(t, err)
		require.Len(t, sets, 1)
		set := sets[0]
		u := fmt.Sprintf("%s/planner/templates/%d", w.srv.URL, set.ID)
		for r := 0; r < raceRounds(t); r++ {
			status, _, body := page(t, pc, "GET", u, nil)
			require.Equal(t, http.StatusOK, status, "%s", body)
			read := set.Version
			require.True(t, strings.Contains(body, fmt.Sprintf(`name="version" value="%d"`, read)), "round %d: the form carries version %d", r, read)
			forms := make([]url.Values, raceWidth)
			for i := range forms {
				f := templateForm(csrf, "save")
				f.Set("version", fmt.Sprint(read))
				f.Set("description", fmt.Sprintf("race %d-%d", r, i))
				if r > 0 && i%4 == 3 {
					f.Set("version", fmt.Sprint(read-1))
				}
				forms[i] = f
			}
			hits := burst(raceWidth, func(i int) hit { return postForm(pc, u, forms[i]) })
			n := tally(t, hits, 200, 409)
			if !assert.Equal(t, 1, n[200], "round %d: one save of version %d wins: %v", r, read, hits) {
				continue
			}
			won := -1
			for i, h := range hits {
				if h.Status == 200 {
					won = i
				}
			}
			assert.Equal(t, fmt.Sprint(read), forms[won].Get("version"), "round %d: a save on a stale version won", r)
			set, err = st.FindTemplateSetByID(ctx, set.ID)
			require.NoError(t, err)
			assert.Equal(t, read+1, set.Version, "round %d: saved once", r)
			assert.Equal(t, fmt.Sprintf("race %d-%d", r, won), set.Description, "round %d: the winner's save is stored whole", r)
			assert.Equal(t, "Early shifts", set.Name)
			assert.Len(t, set.Templates.Templates, 1, "round %d: no template lost or doubled", r)
			assert.Equal(t, map[string]int{"create": 1, "update": r + 1}, auditActions(t, st, "template_set", set.ID), "round %d: one audit event per win", r)
		}
	})
}

// TestRaceScorecardEditorSaves saves two scorecards at once by a burst of
// the editor's forms, half on each, all opened on the revision read: one
// scorecard no evaluation uses (edited in place) and the demo's, which
// evaluations use (its save makes a new version; later rounds edit that
// unused version in place). Exactly one save wins per scorecard and
// round; each family keeps one latest version, which holds the winner's
// name; the family grows by one version only when a used one was saved;
// and each win is audited once.
func TestRaceScorecardEditorSaves(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		now := time.Now().UTC().Truncate(time.Minute)
		d := newDemoSite(t, st, now)
		rc, _ := d.signInAs(t, org.RoleQAReviewer)
		fresh, err := st.CreateScorecard(ctx, qa.Scorecard{Name: "Chat basics", PassThreshold: 60, Sections: []qa.Section{{Key: "a", Title: "A", Weight: 1,
			Criteria: []qa.Criterion{{Key: "x", Title: "X", Weight: 1, Scale: qa.YesNo}}}}})
		require.NoError(t, err)
		cards, _, err := st.FindScorecards(ctx, store.ScorecardFilter{})
		require.NoError(t, err)
		families := []int64{fresh.FamilyID}
		for _, c := range cards {
			if c.FamilyID != fresh.FamilyID {
				families = append(families, c.FamilyID)
				break
			}
		}
		require.Len(t, families, 2, "the demo has a scorecard")
		family := func(id int64) (latest qa.Scorecard, versions []qa.Scorecard) {
			all, _, err := st.FindScorecards(ctx, store.ScorecardFilter{FamilyID: id, IncludeArchived: true, Page: store.Page{Limit: 100}})
			require.NoError(t, err)
			n := 0
			for _, c := range all {
				if c.Latest {
					latest = c
					n++
				}
			}
			assert.Equal(t, 1, n, "family %d has one latest version", id)
			return latest, all
		}
		audits := func(versions []qa.Scorecard) int {
			k := 0
			for _, v := range versions {
				a := auditActions(t, st, "scorecard", v.ID)
				k += a["edit"] + a["new-version"]
			}
			return k
		}
		wins := map[int64]int{}
		for r := 0; r < raceRounds(t); r++ {
			type target struct {
				latest   qa.Scorecard
				versions int
				used     bool
				url      string
				form     url.Values
			}
			targets := make([]target, len(families))
			for k, fam := range families {
				latest, versions := family(fam)
				used := usesOf(t, st, latest)
				u := fmt.Sprintf("%s/qa/scorecards/%d/edit", d.url, latest.ID)
				status, _, body := page(t, rc, "GET", u, nil)
				require.Equal(t, http.StatusOK, status, "%s", body)
				targets[k] = target{latest: latest, versions: len(versions), used: used, url: u, form: formOf(body)}
			}
			if r == 0 {
				require.False(t, targets[0].used, "the new scorecard is unused")
				require.True(t, targets[1].used, "the demo's scorecard has evaluations")
			}
			name := func(i int) string { return fmt.Sprintf("Race %d-%d", r, i) }
			hits := burst(raceWidth, func(i int) hit {
				tg := targets[i%2]
				f := url.Values{}
				for k, v := range tg.form {
					f[k] = append([]string(nil), v...)
				}
				f.Set("do", "save")
				f.Set("name", name(i))
				return postForm(rc, tg.url, f)
			})
			tally(t, hits, 200, 409)
			for k, tg := range targets {
				won := -1
				n := 0
				for i, h := range hits {
					if i%2 == k && h.Status == 200 {
						won, n = i, n+1
					}
				}
				if !assert.Equal(t, 1, n, "round %d scorecard %d: one save of revision %d wins: %v", r, k, tg.latest.Revision, hits) {
					continue
				}
				wins[families[k]]++
				latest, versions := family(families[k])
				assert.Equal(t, name(won), latest.Name, "round %d scorecard %d: the winner's save is the latest", r, k)
				if tg.used {
					assert.Len(t, versions, tg.versions+1, "round %d scorecard %d: a used version is saved as one new version", r, k)
					assert.NotEqual(t, tg.latest.ID, latest.ID)
				} else {
					assert.Len(t, versions, tg.versions, "round %d scorecard %d: an unused version is edited in place", r, k)
					assert.Equal(t, tg.latest.ID, latest.ID)
					assert.Equal(t, tg.latest.Revision+1, latest.Revision, "round %d scorecard %d: saved once", r, k)
				}
				assert.Equal(t, wins[families[k]], audits(versions), "round %d scorecard %d: one audit row per winning save", r, k)
			}
		}
	})
}

// usesOf says whether an evaluation uses scorecard version sc.
func usesOf(t *testing.T, st *store.Store, sc qa.Scorecard) bool {
	t.Helper()
	evs, _, err := st.FindEvaluations(context.Background(), store.EvaluationFilter{ScorecardFamilyID: sc.FamilyID, Page: store.Page{Limit: 500}})
	require.NoError(t, err)
	for _, e := range evs {
		if e.ScorecardID == sc.ID {
			return true
		}
	}
	return false
}
