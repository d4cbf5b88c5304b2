package service

import (
	"crypto/rand"
	"encoding/hex"
)

// RandomHex returns n random bytes in hex: the slot of a manually started
// job run, so two manual runs never claim the same slot.
func RandomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
