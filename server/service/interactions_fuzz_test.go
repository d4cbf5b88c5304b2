package service

import (
	"bytes"
	"testing"
)

// FuzzReadInteractionsCSV checks the interactions reader never panics (a
// quote error once made it call FieldPos after a failed read) and returns
// one line per record.
func FuzzReadInteractionsCSV(f *testing.F) {
	f.Add([]byte("external_id,channel,agent_email,started_at,handle_seconds\nc-1,voice,a1@agents.example.com,2026-03-09T10:00:00Z,100\n"))
	f.Add([]byte("external_id,channel,agent_email,started_at,handle_seconds\na\"b,voice,a1@agents.example.com,2026-03-09T10:00:00Z,100\n"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, data []byte) {
		recs, lines, err := ReadInteractionsCSV(bytes.NewReader(data))
		if err == nil && len(recs) != len(lines) {
			t.Fatalf("%d records but %d lines", len(recs), len(lines))
		}
	})
}
