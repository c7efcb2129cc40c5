// SPDX-License-Identifier: Apache-2.0
//
// tlogcheck checks what fedscore's tlog_tool wrote with Go's own
// golang.org/x/mod/sumdb/note and sumdb/tlog, so that fedscore's
// checkpoints and proofs are held to an implementation it shares no code
// with.
//
//	tlogcheck DIR
//
// DIR holds vkey (the log's verifier key), checkpoint (a signed note),
// inclusion (an index, the entry in base64, then the proof hashes, one a
// line), consistency (an older size and root, then the proof hashes) and,
// optionally, witness.vkey (a cosigner key, type 0x04).  It exits 0 when
// everything verifies, 1 when something is refused, 2 on usage or I/O
// errors.
//
// note.NewVerifier only knows Ed25519 (type 0x01), so the cosignature
// verifier is written here from c2sp.org/tlog-cosignature: it plugs into
// note.Open like any note.Verifier, as Go witness clients do.
package main

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

type cosigVerifier struct {
	name string
	hash uint32
	pk   ed25519.PublicKey
}

func (v *cosigVerifier) Name() string    { return v.name }
func (v *cosigVerifier) KeyHash() uint32 { return v.hash }

func (v *cosigVerifier) Verify(msg, sig []byte) bool {
	if len(sig) != 8+ed25519.SignatureSize {
		return false
	}
	t := binary.BigEndian.Uint64(sig)
	if t > 1<<63-1 {
		return false
	}
	m := fmt.Sprintf("cosignature/v1\ntime %d\n", t)
	return ed25519.Verify(v.pk, append([]byte(m), msg...), sig[8:])
}

func newCosigVerifier(vkey string) (*cosigVerifier, error) {
	parts := strings.SplitN(vkey, "+", 3)
	if len(parts) != 3 || len(parts[1]) != 8 {
		return nil, errors.New("malformed cosigner key")
	}
	hash, err := strconv.ParseUint(parts[1], 16, 32)
	if err != nil {
		return nil, err
	}
	key, err := base64.StdEncoding.DecodeString(parts[2])
	if err != nil || len(key) != 1+ed25519.PublicKeySize || key[0] != 0x04 {
		return nil, errors.New("not an Ed25519 cosigner key (type 0x04)")
	}
	h := sha256.Sum256(append([]byte(parts[0]+"\n"), key...))
	if binary.BigEndian.Uint32(h[:]) != uint32(hash) {
		return nil, errors.New("cosigner key id does not match its key")
	}
	return &cosigVerifier{parts[0], uint32(hash), key[1:]}, nil
}

// lines reads a file of newline-terminated lines.
func lines(dir, name string) ([]string, error) {
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		return nil, err
	}
	s := strings.TrimSuffix(string(b), "\n")
	if s == "" {
		return nil, nil
	}
	return strings.Split(s, "\n"), nil
}

func hashes(ls []string) ([]tlog.Hash, error) {
	var hs []tlog.Hash
	for _, l := range ls {
		h, err := tlog.ParseHash(l)
		if err != nil {
			return nil, err
		}
		hs = append(hs, h)
	}
	return hs, nil
}

var errUsage = errors.New("usage")

// firstErr stands in for errors.Join, which Debian 12's Go 1.19 lacks.
func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func run(dir string) error {
	vk, err := lines(dir, "vkey")
	if err != nil || len(vk) != 1 {
		return fmt.Errorf("%w: vkey: %v", errUsage, err)
	}
	v, err := note.NewVerifier(vk[0])
	if err != nil {
		return fmt.Errorf("log key: %v", err)
	}
	vs := []note.Verifier{v}
	var w *cosigVerifier
	if wk, err := lines(dir, "witness.vkey"); err == nil && len(wk) == 1 {
		if w, err = newCosigVerifier(wk[0]); err != nil {
			return fmt.Errorf("witness key: %v", err)
		}
		vs = append(vs, w)
	}

	msg, err := os.ReadFile(filepath.Join(dir, "checkpoint"))
	if err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	n, err := note.Open(msg, note.VerifierList(vs...))
	if err != nil {
		return fmt.Errorf("note.Open: %v", err)
	}
	signed := map[string]bool{}
	for _, s := range n.Sigs {
		signed[s.Name] = true
	}
	if !signed[v.Name()] {
		return errors.New("checkpoint is not signed by the log key")
	}
	if w != nil && !signed[w.Name()] {
		return errors.New("checkpoint is not cosigned by the witness")
	}
	fmt.Printf("ok: note.Open: checkpoint signed by %s", v.Name())
	if w != nil {
		fmt.Printf(", cosigned by %s", w.Name())
	}
	fmt.Println()

	// tlog.ParseTree reads the body of a go.sum database checkpoint,
	// whose origin is fixed; put ours in its place.
	origin, rest, ok := strings.Cut(n.Text, "\n")
	if !ok || origin != v.Name() {
		return fmt.Errorf("checkpoint origin %q is not the key name %q", origin, v.Name())
	}
	tree, err := tlog.ParseTree([]byte("go.sum database tree\n" + rest))
	if err != nil {
		return fmt.Errorf("tlog.ParseTree: %v", err)
	}
	fmt.Printf("ok: tlog.ParseTree: size %d, root %v\n", tree.N, tree.Hash)

	inc, err := lines(dir, "inclusion")
	if err != nil || len(inc) < 2 {
		return fmt.Errorf("%w: inclusion: %v", errUsage, err)
	}
	idx, err1 := strconv.ParseInt(inc[0], 10, 64)
	entry, err2 := base64.StdEncoding.DecodeString(inc[1])
	rp, err3 := hashes(inc[2:])
	if err := firstErr(err1, err2, err3); err != nil {
		return fmt.Errorf("%w: inclusion: %v", errUsage, err)
	}
	if err := tlog.CheckRecord(rp, tree.N, tree.Hash, idx, tlog.RecordHash(entry)); err != nil {
		return fmt.Errorf("tlog.CheckRecord: entry %d: %v", idx, err)
	}
	fmt.Printf("ok: tlog.CheckRecord: entry %d (%d hashes)\n", idx, len(rp))

	con, err := lines(dir, "consistency")
	if err != nil || len(con) < 2 {
		return fmt.Errorf("%w: consistency: %v", errUsage, err)
	}
	old, err1 := strconv.ParseInt(con[0], 10, 64)
	oldRoot, err2 := tlog.ParseHash(con[1])
	tp, err3 := hashes(con[2:])
	if err := firstErr(err1, err2, err3); err != nil {
		return fmt.Errorf("%w: consistency: %v", errUsage, err)
	}
	if err := tlog.CheckTree(tp, tree.N, tree.Hash, old, oldRoot); err != nil {
		return fmt.Errorf("tlog.CheckTree: size %d: %v", old, err)
	}
	fmt.Printf("ok: tlog.CheckTree: size %d is a prefix (%d hashes)\n", old, len(tp))
	return nil
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: tlogcheck DIR")
		os.Exit(2)
	}
	if err := run(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "tlogcheck:", err)
		if errors.Is(err, errUsage) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}
