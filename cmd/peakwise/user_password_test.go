package main

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/peakwise/peakwise/server/auth"
)

// TestPasswordStdinIsTextAsTyped checks that the password read from standard
// input is the one the user can type at the sign-in form: a byte-order mark
// from a Windows editor is not part of it, its length is in characters, and
// bytes that are not UTF-8 are refused.
func TestPasswordStdinIsTextAsTyped(t *testing.T) {
	dir := t.TempDir()
	vars := map[string]string{"PEAKWISE_DATA_DIR": dir}
	code, _, errOut := runCLI(t, vars, "\uFEFFa very good password\r\n", "user", "create", "--email", "bom@example.com", "--name", "Bom", "--role", "admin", "--password-stdin")
	require.Equal(t, 0, code, errOut)

	db := dbFlags{dataDir: dir}
	st, err := db.open(context.Background())
	require.NoError(t, err)
	_, hash, err := st.FindUserByEmail(context.Background(), "bom@example.com")
	require.NoError(t, err)
	require.NoError(t, st.Close())
	assert.True(t, auth.VerifyPassword(hash, "a very good password"), "the byte-order mark is not part of the password")

	code, _, errOut = runCLI(t, vars, "ééééé\n", "user", "create", "--email", "short@example.com", "--name", "S", "--role", "admin", "--password-stdin")
	assert.Equal(t, 1, code, "five characters are too few, though they are ten bytes")
	assert.Contains(t, errOut, "at least 10 characters")

	code, _, errOut = runCLI(t, vars, "long enough \xff password\n", "user", "create", "--email", "bytes@example.com", "--name", "B", "--role", "admin", "--password-stdin")
	assert.Equal(t, 1, code, "a password that is not UTF-8 can never be typed at the sign-in form")
	assert.Contains(t, errOut, "UTF-8")
}
