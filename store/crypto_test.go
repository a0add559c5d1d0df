package store

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"
)

var testSecret = []byte("crypto_test: thirty-two bytes or more of secret")

func newTestSealer(t *testing.T, secret []byte) *sealer {
	t.Helper()
	s, err := newSealer(secret)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSealRoundTrip(t *testing.T) {
	t.Parallel()
	s := newTestSealer(t, testSecret)
	cred := newCredential()
	digest := s.digest(cred)
	sealed := s.seal(cred, digest)
	raw, _ := base64.RawURLEncoding.DecodeString(cred)
	if bytes.Contains(sealed, []byte(cred)) || bytes.Contains(sealed, raw) {
		t.Fatal("the ciphertext contains the credential")
	}
	if bytes.Equal(sealed, s.seal(cred, digest)) {
		t.Fatal("two seals of one credential are equal: the nonce is not random")
	}
	got, err := s.open(sealed, digest)
	if err != nil || got != cred {
		t.Fatalf("open = %q, %v; want the credential back", got, err)
	}
	if !s.verify(cred, sealed, digest) || s.verify(newCredential(), sealed, digest) {
		t.Fatal("verify accepts the wrong credential or refuses the right one")
	}
}

func TestSealTampered(t *testing.T) {
	t.Parallel()
	s := newTestSealer(t, testSecret)
	cred := newCredential()
	digest := s.digest(cred)
	sealed := s.seal(cred, digest)
	for i := range sealed {
		bad := bytes.Clone(sealed)
		bad[i] ^= 0x01
		if _, err := s.open(bad, digest); err == nil {
			t.Fatalf("a ciphertext with byte %d flipped opens", i)
		}
		if s.verify(cred, bad, digest) {
			t.Fatalf("a ciphertext with byte %d flipped verifies", i)
		}
	}
	cases := map[string]struct {
		sealed []byte
		digest string
	}{
		"truncated":        {sealed[:len(sealed)-1], digest},
		"nonce only":       {sealed[:12], digest},
		"empty":            {nil, digest},
		"another row":      {sealed, s.digest(newCredential())},
		"another secret's": {newTestSealer(t, append(bytes.Clone(testSecret), '!')).seal(cred, digest), digest},
	}
	for name, c := range cases {
		if _, err := s.open(c.sealed, c.digest); err == nil {
			t.Errorf("%s: the ciphertext opens", name)
		}
	}
}

func TestDigest(t *testing.T) {
	t.Parallel()
	s := newTestSealer(t, testSecret)
	other := newTestSealer(t, append(bytes.Clone(testSecret), 'x'))
	cred := newCredential()
	d := s.digest(cred)
	if len(d) != 64 || d != s.digest(cred) || strings.Contains(d, cred) {
		t.Fatalf("digest %q: want 64 hex digits, stable, not the credential", d)
	}
	if d == s.digest(newCredential()) || d == other.digest(cred) {
		t.Fatal("digests collide across credentials or secrets")
	}
	if bytes.Equal(derive(testSecret, labelAES), derive(testSecret, labelHMAC)) {
		t.Fatal("the encryption and digest keys are the same")
	}
}

func TestSecretLength(t *testing.T) {
	t.Parallel()
	if _, err := newSealer(make([]byte, MinSecretLength-1)); err == nil || !strings.Contains(err.Error(), "at least 32") {
		t.Fatalf("a 31-byte secret: %v, want a clear refusal", err)
	}
	if _, err := newSealer(make([]byte, MinSecretLength)); err != nil {
		t.Fatalf("a 32-byte secret: %v", err)
	}
}

func TestWellFormed(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for range 1000 {
		c := newCredential()
		if !wellFormed(c) || seen[c] {
			t.Fatalf("newCredential made %q: malformed or repeated", c)
		}
		seen[c] = true
	}
	for _, bad := range []string{"", "abc", strings.Repeat("A", 42), strings.Repeat("A", 44),
		strings.Repeat("A", 42) + "=", strings.Repeat("A", 42) + "+", strings.Repeat("A", 42) + "B"} {
		if wellFormed(bad) {
			t.Errorf("wellFormed(%q) = true", bad)
		}
	}
}
