package erlang

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// TestGoldenDay pins the requirements of a synthetic double-peak day (48
// half-hour intervals, AHT 300 s, 80/20, ASA 30 s, shrinkage 0.3) under Erlang
// C and Erlang A (180 s patience), so any change to the numbers shows up as a
// diff. Regenerate with: go test ./scheduling/erlang/ -run TestGoldenDay -update
func TestGoldenDay(t *testing.T) {
	targets := Targets{ServiceLevel: 0.8, AnswerWithin: 20 * time.Second, ASA: 30 * time.Second, Shrinkage: 0.3}
	var b strings.Builder
	b.WriteString("interval,contacts,c_agents,c_staff,c_sl,c_asa,c_occ,a_agents,a_staff,a_sl,a_asa,a_occ,a_abandon\n")
	for i, v := range dayShape(48, 500) {
		load := Load{Contacts: v, Interval: 30 * time.Minute, AHT: 300 * time.Second}
		c, err := Solve(load, targets)
		require.NoError(t, err)
		load.Patience = 180 * time.Second
		a, err := Solve(load, targets)
		require.NoError(t, err)
		fmt.Fprintf(&b, "%d,%g,%d,%d,%.6f,%.4f,%.6f,%d,%d,%.6f,%.4f,%.6f,%.6f\n", i, v,
			c.Agents, c.Staff, c.ServiceLevel, c.ASA, c.Occupancy,
			a.Agents, a.Staff, a.ServiceLevel, a.ASA, a.Occupancy, a.ProbAbandon)
	}
	path := filepath.Join("testdata", "day_requirements.golden.csv")
	if *update {
		require.NoError(t, os.MkdirAll("testdata", 0o755))
		require.NoError(t, os.WriteFile(path, []byte(b.String()), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run with -update to create it")
	assert.Equal(t, string(want), b.String())
}
