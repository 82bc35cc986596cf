package npmvendor

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The database servers the database clients of the popular-packages table talk to: a real
// redis-server and a real PostgreSQL (Debian's packages, installed by .ci/run), each started once
// by the test that needs them, on loopback in a temporary directory, and stopped by its cleanup.
// Both die with the test process (Pdeathsig) should it be killed before its cleanup runs.

// freePort returns a loopback port nothing listens on now.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// startServer starts cmd, logging its output to the test, stops it (SIGINT, then SIGKILL after
// 10s) at cleanup and waits until ready says the server answers, or fails the test.
func startServer(t *testing.T, name string, cmd *exec.Cmd, ready func() error) {
	t.Helper()
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	logged := make(chan struct{})
	var lines []string
	go func() {
		defer close(logged)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines = append(lines, sc.Text())
		}
	}()
	exited := make(chan error, 1)
	go func() { <-logged; exited <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGINT)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		err := ready()
		if err == nil {
			return
		}
		select {
		case werr := <-exited:
			exited <- werr
			t.Fatalf("%s exited before it served (%v):\n%s", name, werr, strings.Join(lines, "\n"))
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s does not answer after 30s: %v", name, err)
		}
	}
}

// startRedis starts a redis-server on loopback, without persistence, and returns its port.
func startRedis(t *testing.T) int {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("redis-server is not installed (Debian package redis-server, which .ci/run installs): ioredis needs a real Redis")
	}
	dir := t.TempDir()
	port := freePort(t)
	cmd := exec.Command(bin, "--bind", "127.0.0.1", "--port", strconv.Itoa(port), "--dir", dir,
		"--save", "", "--appendonly", "no", "--daemonize", "no", "--protected-mode", "no")
	startServer(t, "redis-server", cmd, func() error {
		c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(port), time.Second)
		if err != nil {
			return err
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(2 * time.Second))
		if _, err := c.Write([]byte("PING\r\n")); err != nil {
			return err
		}
		line, err := bufio.NewReader(c).ReadString('\n')
		if err != nil {
			return err
		}
		if line != "+PONG\r\n" {
			return fmt.Errorf("redis answered PING with %q", line)
		}
		return nil
	})
	return port
}

// postgresBin returns the folder of the newest PostgreSQL server binaries Debian installed.
func postgresBin() (string, bool) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	best, bestV := "", -1
	for _, d := range dirs {
		v, err := strconv.Atoi(filepath.Base(filepath.Dir(d)))
		if err != nil {
			continue
		}
		if _, err := os.Stat(filepath.Join(d, "postgres")); err == nil && v > bestV {
			best, bestV = d, v
		}
	}
	return best, best != ""
}

// startPostgres starts a PostgreSQL server on loopback (trust authentication for the user
// "postgres", TLS offered with a certificate for 127.0.0.1 and localhost signed by the returned
// CA) and returns its port and the CA's PEM. PostgreSQL refuses to run as root: under root its
// files belong to, and its processes run as, the user nobody.
func startPostgres(t *testing.T) (int, string) {
	t.Helper()
	bin, ok := postgresBin()
	if !ok {
		t.Skip("PostgreSQL is not installed (Debian package postgresql, which .ci/run installs): pg needs a real PostgreSQL")
	}
	var cred *syscall.Credential
	uid, gid := os.Getuid(), os.Getgid()
	if uid == 0 {
		u, err := user.Lookup("nobody")
		if err != nil {
			t.Skipf("running as root, and there is no user nobody to run PostgreSQL as (it refuses root): %v", err)
		}
		uid, _ = strconv.Atoi(u.Uid)
		gid, _ = strconv.Atoi(u.Gid)
		cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
	}
	// Not t.TempDir: its parent is private to this user, and the server's user must reach it.
	dir, err := os.MkdirTemp("", "actionsd-pg-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chown(dir, uid, gid); err != nil {
		t.Fatal(err)
	}
	asServer := func(cmd *exec.Cmd) *exec.Cmd {
		cmd.Dir = dir
		cmd.Env = []string{"PATH=/usr/bin:/bin", "LANG=C", "HOME=" + dir}
		if cred != nil {
			cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
		}
		return cmd
	}
	data := filepath.Join(dir, "data")
	if out, err := asServer(exec.Command(filepath.Join(bin, "initdb"), "-D", data, "-U", "postgres",
		"--auth=trust", "-E", "UTF8", "--no-locale", "--no-sync")).CombinedOutput(); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	caPEM, certPEM, keyPEM := postgresTestCert(t)
	port := freePort(t)
	conf := fmt.Sprintf("listen_addresses = '127.0.0.1'\nport = %d\nunix_socket_directories = ''\n"+
		"fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"+
		"ssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\n", port)
	files := []struct {
		name string
		body string
		perm os.FileMode
		add  bool
	}{
		{"postgresql.conf", conf, 0o600, true},
		{"server.crt", certPEM, 0o644, false},
		{"server.key", keyPEM, 0o600, false},
	}
	for _, f := range files {
		p := filepath.Join(data, f.name)
		flag := os.O_WRONLY | os.O_CREATE | os.O_TRUNC
		if f.add {
			flag = os.O_WRONLY | os.O_APPEND
		}
		fh, err := os.OpenFile(p, flag, f.perm)
		if err != nil {
			t.Fatal(err)
		}
		_, err = fh.WriteString(f.body)
		if cerr := fh.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			err = os.Chown(p, uid, gid)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	startServer(t, "postgres", asServer(exec.Command(filepath.Join(bin, "postgres"), "-D", data)), func() error {
		// The server answers an SSLRequest with 'S' once it accepts connections.
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			return err
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(2 * time.Second))
		if _, err := c.Write([]byte{0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f}); err != nil {
			return err
		}
		b := make([]byte, 1)
		if _, err := c.Read(b); err != nil {
			return err
		}
		if b[0] != 'S' {
			return fmt.Errorf("postgres answered the SSLRequest with %q", b)
		}
		return nil
	})
	return port, caPEM
}

// postgresTestCert makes a CA and a server certificate for 127.0.0.1 and localhost signed by it.
func postgresTestCert(t *testing.T) (caPEM, certPEM, keyPEM string) {
	t.Helper()
	caKey := must(ecdsa.GenerateKey(elliptic.P256(), rand.Reader))
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "actionsd test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour), IsCA: true,
		BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	caDER := must(x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey))
	ca := must(x509.ParseCertificate(caDER))
	key := must(ecdsa.GenerateKey(elliptic.P256(), rand.Reader))
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "localhost"},
		DNSNames: []string{"localhost"}, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der := must(x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey))
	keyDER := must(x509.MarshalPKCS8PrivateKey(key))
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})),
		string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}))
}
