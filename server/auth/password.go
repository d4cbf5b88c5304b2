// Package auth holds Peakwise's credentials and its authorization policy:
// password hashing, session and API token secrets, roles, and the one table
// that says who may do what. It is pure: the server stores what it produces.
package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"

	"golang.org/x/crypto/argon2"
)

// Argon2id parameters (RFC 9106's second recommended option, with less memory
// so a small server can take a burst of logins, and one lane, so a check takes
// one core and the sign-in gate can leave the others to every other request;
// see BenchmarkHostileSignIns in docs/benchmarks/signin.md). Hashes made with
// other parameters still verify: each hash carries its own.
const (
	argonTime    = 2
	argonMemory  = 32 * 1024 // KiB
	argonThreads = 1
	argonKeyLen  = 32
	argonSaltLen = 16
)

// HashPassword returns an argon2id hash in PHC string format.
func HashPassword(password string) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// VerifyPassword reports whether password matches hash. A malformed or empty
// hash (a user without a password) never matches.
func VerifyPassword(hash, password string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var version int
	var mem, iters uint32
	var threads uint8
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &mem, &iters, &threads); err != nil {
		return false
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[4])
	want, err2 := b64.DecodeString(parts[5])
	if err := errors.Join(err1, err2); err != nil || len(want) == 0 {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, iters, mem, threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// dummyHash lets a login for an unknown email cost as much as a real one,
// so response times do not reveal which emails exist. It is made on first
// use: made at start-up, every CLI command (even --help) paid an argon2id pass.
var dummyHash = sync.OnceValue(func() string {
	h, _ := HashPassword("peakwise-dummy-password")
	return h
})

// BurnPasswordCheck spends the time of one password verification.
func BurnPasswordCheck(password string) { VerifyPassword(dummyHash(), password) }

// TokenPrefix starts every API token, so leaked tokens are easy to recognise.
const TokenPrefix = "pwk_"

// NewSecret returns a fresh random secret with the given prefix (256 bits, URL-safe).
func NewSecret(prefix string) (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return prefix + base64.RawURLEncoding.EncodeToString(b), nil
}

// HashSecret returns the hex SHA-256 of a secret. Secrets are high-entropy, so
// a fast hash is enough; only hashes are stored.
func HashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// EqualSecrets compares two secrets in constant time; empty never matches.
func EqualSecrets(a, b string) bool {
	return a != "" && b != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// NewAPIToken makes a token for userID: the secret to hand out once, the record
// to store, and the hash to store it under. An empty name becomes "token".
// Returns an error if name is longer than 100 characters.
func NewAPIToken(userID int64, name string) (secret string, tok APIToken, hash string, err error) {
	name = strings.TrimSpace(name)
	if name == "" {
		name = "token"
	}
	if len(name) > 100 {
		return "", APIToken{}, "", errors.New("token name is longer than 100 characters")
	}
	if secret, err = NewSecret(TokenPrefix); err != nil {
		return "", APIToken{}, "", err
	}
	return secret, APIToken{UserID: userID, Name: name, Prefix: secret[:len(TokenPrefix)+4]}, HashSecret(secret), nil
}
