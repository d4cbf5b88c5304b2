package server_test

import (
	"encoding/json"
	"flag"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/peakwise/peakwise/server"
	"github.com/peakwise/peakwise/server/store/storetest"
)

var updateOpenAPI = flag.Bool("update", false, "rewrite testdata/openapi.golden.json from the running server")

// TestOpenAPIGolden compares the served OpenAPI document byte for byte with
// the one captured before server/ was split into service, api and web, so a
// move of handlers or request types that changes the API cannot pass
// unnoticed. Run with -update only when the API is meant to change.
func TestOpenAPIGolden(t *testing.T) {
	_, res := serveOpenAPI(t)
	golden := filepath.Join("testdata", "openapi.golden.json")
	if *updateOpenAPI {
		require.NoError(t, os.WriteFile(golden, res.Body, 0o644))
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err)
	assert.Equal(t, string(want), string(res.Body), "the OpenAPI document changed; rerun with -update if that is intended")
}

// serveOpenAPI starts a server on an empty database and fetches its OpenAPI
// document.
func serveOpenAPI(t *testing.T) (*server.Server, response) {
	t.Helper()
	srv := server.New(storetest.OpenSQLite(t), slog.New(slog.NewTextHandler(io.Discard, nil)), server.Config{})
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	res := do(t, nil, "GET", ts.URL+"/api/v1/openapi.json", nil, nil)
	require.Equal(t, 200, res.Status)
	return srv, res
}

// TestOpenAPIDescribesProRata: the roster request's pro_rata is a boolean
// that says what it changes, since its name alone cannot.
func TestOpenAPIDescribesProRata(t *testing.T) {
	_, res := serveOpenAPI(t)
	var doc struct {
		Components struct {
			Schemas map[string]struct {
				Properties map[string]struct {
					Type        string `json:"type"`
					Description string `json:"description"`
				} `json:"properties"`
			} `json:"schemas"`
		} `json:"components"`
	}
	require.NoError(t, json.Unmarshal(res.Body, &doc))
	p, ok := doc.Components.Schemas["rosterRequest"].Properties["pro_rata"]
	require.True(t, ok, "rosterRequest has pro_rata")
	assert.Equal(t, "boolean", p.Type)
	assert.Contains(t, p.Description, "whole on every clock")
	assert.Contains(t, p.Description, "pro rata")
}
