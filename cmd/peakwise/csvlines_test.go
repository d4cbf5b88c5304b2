package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/peakwise/peakwise/scheduling/roster"
)

// A quoted cell may span lines: problems are reported on the line the record
// starts, and a quoting error is reported with its line instead of a panic.
func TestCSVReadersReportTheRealLine(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "x.csv")
	body := "name,value\n" +
		"\"two\nlines\",1\n" + // lines 2-3
		"bad,x\n" + // line 4
		"\"unclosed,2\n"
	require.NoError(t, os.WriteFile(path, []byte(body), 0o600))
	err := walkCSV(path, func(map[string]int) error { return nil }, func(line int, get func(int) string) string {
		if get(1) == "x" {
			return "value is not a number"
		}
		return ""
	})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "line 4: value is not a number")
	assert.Contains(t, err.Error(), "line 5")

	pub := filepath.Join(dir, "published.csv")
	require.NoError(t, os.WriteFile(pub, []byte("agent,start,end,paid_minutes,note\n"+
		"a1,2026-12-07T09:00:00Z,2026-12-07T17:00:00Z,480,\"a note\non two lines\"\n"+
		"a1,2026-12-08T09:00:00Z,yesterday,480,\n"), 0o600))
	err = readPublished(pub, []roster.Agent{{ID: "a1"}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "line 4, end")
	require.NoError(t, os.WriteFile(pub, []byte("agent,start,end,paid_minutes\n\"a1,x\n"), 0o600))
	assert.Error(t, readPublished(pub, []roster.Agent{{ID: "a1"}}), "a quoting error is an error, not a panic")
}
