package store

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
)

// MinSecretLength is the shortest server secret Open accepts, in bytes.
const MinSecretLength = 32

// credentialLength is the length of a key or token as clients see it: 32
// random bytes in base64url without padding.
const credentialLength = 43

// Labels of the keys derived from the server secret. Changing one makes every
// stored credential unreadable, hence the version suffix.
const (
	labelAES  = "scoregate/aes-gcm/v1"
	labelHMAC = "scoregate/hmac/v1"
)

// errCiphertext reports a stored credential that does not decrypt: the row
// was tampered with, or the server secret changed.
var errCiphertext = errors.New("credential ciphertext does not decrypt under the server secret")

// sealer encrypts credentials at rest and digests them for lookup. The digest
// is an HMAC, not a plain hash, so a copy of the database alone does not let
// anyone test guesses; the ciphertext lets the store hand keys back to their
// owners, which a digest alone could not.
type sealer struct {
	aead   cipher.AEAD
	macKey []byte
}

// newSealer derives independent AES-256 and HMAC keys from secret.
func newSealer(secret []byte) (*sealer, error) {
	if len(secret) < MinSecretLength {
		return nil, fmt.Errorf("store: the server secret is %d bytes long; at least %d are required", len(secret), MinSecretLength)
	}
	block, err := aes.NewCipher(derive(secret, labelAES))
	if err != nil {
		return nil, fmt.Errorf("store: AES key: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("store: AES-GCM: %w", err)
	}
	return &sealer{aead: aead, macKey: derive(secret, labelHMAC)}, nil
}

// derive returns HMAC-SHA256(secret, label): a 32-byte key for one purpose.
func derive(secret []byte, label string) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(label))
	return m.Sum(nil)
}

// newCredential returns a fresh endpoint key or workspace token.
func newCredential() string {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("store: crypto/rand failed: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// wellFormed reports whether s could be a credential made by newCredential,
// so garbage is refused without a database round trip.
func wellFormed(s string) bool {
	if len(s) != credentialLength {
		return false
	}
	_, err := base64.RawURLEncoding.Strict().DecodeString(s)
	return err == nil
}

// digest returns the hex HMAC of a credential: the value it is looked up by.
func (s *sealer) digest(credential string) string {
	m := hmac.New(sha256.New, s.macKey)
	m.Write([]byte(credential))
	return hex.EncodeToString(m.Sum(nil))
}

// seal encrypts a credential under a random nonce. The digest is bound in as
// additional data, so a ciphertext moved onto another row does not open.
func (s *sealer) seal(credential, digest string) []byte {
	nonce := make([]byte, s.aead.NonceSize(), s.aead.NonceSize()+len(credential)+s.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		panic("store: crypto/rand failed: " + err.Error())
	}
	return s.aead.Seal(nonce, nonce, []byte(credential), []byte(digest))
}

// open decrypts a sealed credential stored under digest.
func (s *sealer) open(sealed []byte, digest string) (string, error) {
	n := s.aead.NonceSize()
	if len(sealed) < n+s.aead.Overhead() {
		return "", errCiphertext
	}
	plain, err := s.aead.Open(nil, sealed[:n], sealed[n:], []byte(digest))
	if err != nil {
		return "", errCiphertext
	}
	return string(plain), nil
}

// verify decrypts a row found by the digest of credential and compares it
// with credential in constant time. The digest already matched, so this
// guards against a tampered row rather than a guessed key.
func (s *sealer) verify(credential string, sealed []byte, digest string) bool {
	plain, err := s.open(sealed, digest)
	if err != nil {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(plain), []byte(credential)) == 1
}
