package main

import (
	"bufio"
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// runCLI runs the peakwise command in-process with the given environment.
func runCLI(t testing.TB, vars map[string]string, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	env := &Env{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb, Getenv: func(k string) string { return vars[k] }}
	code = run(context.Background(), env, args)
	return code, out.String(), errb.String()
}

func TestHelpListsEveryCommand(t *testing.T) {
	code, out, _ := runCLI(t, nil, "", "--help")
	assert.Equal(t, 0, code)
	for name := range commands {
		assert.Contains(t, out, "  "+name)
	}
	code, _, errOut := runCLI(t, nil, "", "frobnicate")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, `unknown command "frobnicate"`)
}

func TestUserAndTokenCommands(t *testing.T) {
	vars := map[string]string{"PEAKWISE_DATA_DIR": t.TempDir()}
	code, out, errOut := runCLI(t, vars, "a very good password\n", "user", "create", "--email", "Boss@Example.com", "--name", "Boss", "--role", "admin", "--password-stdin")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "boss@example.com (admin)")

	code, _, errOut = runCLI(t, vars, "short\n", "user", "create", "--email", "x@example.com", "--name", "X", "--role", "planner", "--password-stdin")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "at least 10 characters")

	code, _, errOut = runCLI(t, vars, "", "user", "create", "--email", "x@example.com", "--name", "X", "--role", "planner")
	assert.Equal(t, 2, code, "no password source is a usage error")
	assert.Contains(t, errOut, "--password-stdin")

	code, _, errOut = runCLI(t, vars, "another good password\n", "user", "create", "--email", "x@example.com", "--name", "X", "--role", "wizard", "--password-stdin")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, `unknown role "wizard"`)

	code, out, errOut = runCLI(t, vars, "", "user", "set-role", "--email", "boss@example.com", "--role", "planner")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "is now planner")

	code, _, errOut = runCLI(t, vars, "a brand new password\n", "user", "reset-password", "--email", "boss@example.com", "--password-stdin")
	require.Equal(t, 0, code, errOut)

	code, out, errOut = runCLI(t, vars, "", "token", "create", "--email", "boss@example.com")
	require.Equal(t, 0, code, errOut)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 1, "token create prints the token and nothing else")
	assert.True(t, strings.HasPrefix(lines[0], "pwk_"), out)

	code, _, errOut = runCLI(t, vars, "", "token", "create", "--email", "nobody@example.com")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "user not found")

	code, out, _ = runCLI(t, vars, "", "user", "list")
	assert.Equal(t, 0, code)
	assert.Contains(t, out, "boss@example.com\tplanner")
}

func TestServeDemoBootsAndReusesData(t *testing.T) {
	dir := t.TempDir()
	vars := map[string]string{"PEAKWISE_DATA_DIR": dir, "PEAKWISE_LOG_FORMAT": "json"}
	for round := 0; round < 2; round++ {
		ctx, cancel := context.WithCancel(context.Background())
		pr, pw, err := os.Pipe()
		require.NoError(t, err)
		env := &Env{Stdin: strings.NewReader(""), Stdout: pw, Stderr: &bytes.Buffer{}, Getenv: func(k string) string { return vars[k] }}
		done := make(chan int, 1)
		go func() { done <- run(ctx, env, []string{"serve", "--demo", "--addr", "127.0.0.1:0"}) }()

		sc := bufio.NewScanner(pr)
		var url, adminPW string
		// Only a guard against hanging: seeding and forecasting the demo
		// took over 60 s under -race on a slow, loaded CI machine.
		deadline := time.After(5 * time.Minute)
		for url == "" {
			lineCh := make(chan string, 1)
			go func() {
				if sc.Scan() {
					lineCh <- sc.Text()
				} else {
					close(lineCh)
				}
			}()
			select {
			case line, ok := <-lineCh:
				require.True(t, ok, "serve ended before printing its address")
				if f := strings.Fields(line); len(f) == 3 && f[0] == "admin" {
					adminPW = f[2]
				}
				if u, ok := strings.CutPrefix(line, "Peakwise is serving on "); ok {
					url = u
				}
			case <-deadline:
				t.Fatal("serve --demo did not start within 5 minutes")
			}
		}
		require.NotEmpty(t, adminPW, "demo sign-ins are printed")
		res, err := http.Post(url+"/api/v1/auth/login", "application/json",
			strings.NewReader(`{"email":"admin@demo.peakwise.dev","password":"`+adminPW+`"}`))
		require.NoError(t, err)
		res.Body.Close()
		assert.Equal(t, 200, res.StatusCode, "round %d: the printed admin sign-in works", round)
		cancel()
		assert.Equal(t, 0, <-done, "graceful shutdown exits 0")
		pw.Close()
		pr.Close()
	}
	_, err := os.Stat(filepath.Join(dir, "peakwise.db"))
	assert.NoError(t, err, "the embedded database lives in the data directory")
}
