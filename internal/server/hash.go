package server

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"

	"golang.org/x/crypto/bcrypt"
)

// NewToken returns a fresh random API token (26 characters of base32, 130 bits).
func NewToken() string { return rand.Text() }

// HashToken returns the value of a token's `sha256` key in server.tokens: the hex SHA-256 of
// the token.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// HashPassword returns the bcrypt hash of a console password, the value of `password_hash` in
// server.users. bcrypt reads at most 72 bytes: longer passwords are refused rather than cut.
func HashPassword(password string) (string, error) {
	switch {
	case password == "":
		return "", errors.New("empty password")
	case len(password) > 72:
		return "", errors.New("password longer than 72 bytes (bcrypt's limit)")
	}
	h, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	if err != nil {
		return "", fmt.Errorf("hashing password: %w", err)
	}
	return string(h), nil
}
