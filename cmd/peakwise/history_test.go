package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestHistoryImportCommand(t *testing.T) {
	dir := t.TempDir()
	vars := map[string]string{"PEAKWISE_DATA_DIR": dir}
	code, _, errOut := runCLI(t, vars, "", "demo")
	require.Equal(t, 0, code, errOut)

	good := filepath.Join(dir, "good.csv")
	require.NoError(t, os.WriteFile(good, []byte("timestamp,channel,timezone,contacts\n"+
		"2026-03-02T09:00:00-06:00,voice,America/Chicago,41\n"+
		"2026-03-02T09:30:00-06:00,voice,America/Chicago,44\n"), 0o644))
	code, out, errOut := runCLI(t, vars, "", "history", "import", "--file", good)
	require.Equal(t, 0, code, errOut)
	assert.Regexp(t, `queue \d+: 2 intervals, 2026-03-02T15:00:00Z to 2026-03-02T15:30:00Z`, out)
	assert.Contains(t, errOut, "imported 2 intervals into 1 queue(s)")

	bad := filepath.Join(dir, "bad.csv")
	require.NoError(t, os.WriteFile(bad, []byte("timestamp,channel,timezone,contacts\n"+
		"2026-03-02T10:00:00-06:00,voice,America/Chicago,41\n"+
		"yesterday,voice,America/Chicago,44\n"+
		"2026-03-02T11:00:00-06:00,voice,America/Chicago,-3\n"), 0o644))
	code, _, errOut = runCLI(t, vars, "", "history", "import", "--file", bad)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "line 3")
	assert.Contains(t, errOut, "line 4")
	assert.Contains(t, errOut, "nothing was imported")

	code, _, errOut = runCLI(t, vars, "", "history", "import")
	assert.Equal(t, 2, code, "a missing --file is a usage error")
	assert.Contains(t, errOut, "--file")
}
