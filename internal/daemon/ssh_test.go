package daemon

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/actionsd/actionsd/internal/config"
)

// sshServer is a real OpenSSH sshd on loopback that lets one key run git-upload-pack.
type sshServer struct {
	port     int
	user     string
	hostPub  string // "ssh-ed25519 AAAA…"
	clientSK string // path of the client's private key
}

// startSSHD starts sshd on a free loopback port, or skips the test with the reason it cannot.
func startSSHD(t *testing.T) *sshServer {
	t.Helper()
	sshd, err := exec.LookPath("sshd")
	if err != nil {
		for _, p := range []string{"/usr/sbin/sshd", "/usr/local/sbin/sshd"} {
			if _, err := os.Stat(p); err == nil {
				sshd = p
			}
		}
	}
	if sshd == "" {
		t.Skip("sshd is not installed (apt-get install openssh-server): the SSH transport is not tested here")
	}
	if _, err := exec.LookPath("ssh-keygen"); err != nil {
		t.Skip("ssh-keygen is not installed")
	}
	u, err := user.Current()
	if err != nil {
		t.Skipf("no current user: %v", err)
	}
	dir := t.TempDir()
	hostKey, hostPub := newSSHKey(t, "host_ed25519")
	clientKey, clientPub := newSSHKey(t, "client_ed25519")
	authKeys := writeFile(t, dir, "authorized_keys", clientPub+"\n")
	if u.Uid == "0" {
		_ = os.MkdirAll("/run/sshd", 0o755) // privilege separation folder
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	cfg := writeFile(t, dir, "sshd_config", fmt.Sprintf(`ListenAddress 127.0.0.1:%d
HostKey %s
AuthorizedKeysFile %s
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
PermitRootLogin prohibit-password
StrictModes no
UsePAM no
PidFile %s
LogLevel ERROR
`, port, hostKey, authKeys, filepath.Join(dir, "sshd.pid")))
	cmd := exec.Command(sshd, "-D", "-e", "-f", cfg)
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Skipf("sshd does not start here: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			t.Log("sshd: " + sc.Text())
		}
	}()
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Skipf("sshd did not listen on 127.0.0.1:%d: %v", port, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return &sshServer{port: port, user: u.Username, hostPub: hostPub, clientSK: clientKey}
}

// knownHosts writes a known_hosts file naming pub as the server's host key.
func (s *sshServer) knownHosts(t *testing.T, pub string) string {
	fields := strings.Fields(pub)
	return writeFile(t, t.TempDir(), "known_hosts", fmt.Sprintf("[127.0.0.1]:%d %s %s\n", s.port, fields[0], fields[1]))
}

// TestRemoteOverSSH reads a bare repository through a real sshd with a key, verifying the host key.
func TestRemoteOverSSH(t *testing.T) {
	srv := startSSHD(t)
	repo := newRemoteRepo(t)
	repo.simpleRepo("A1", "M1")
	first := repo.commit("first")
	repo.git("tag", "modules/m/v1")
	repo.push()
	url := fmt.Sprintf("ssh://%s@127.0.0.1:%d%s", srv.user, srv.port, repo.bare)

	t.Run("verified host key", func(t *testing.T) {
		d, _ := startDaemonWith(t, url, func(c *config.Config) {
			c.Git.SSHKeyFile, c.Git.KnownHostsFile = srv.clientSK, srv.knownHosts(t, srv.hostPub)
		})
		st := d.sync("")
		if st.Applied == nil || st.Applied.Commit != first {
			t.Fatalf("got %+v %v, want %s applied", st.Applied, st.Errors, first)
		}
		repo.setAction("A2")
		second := repo.commit("second")
		repo.push()
		if st := d.sync(""); st.Applied.Commit != second {
			t.Fatalf("second: got %+v %v", st.Applied, st.Errors)
		}
		if a, _, _ := d.claims(); a != "A2" {
			t.Errorf("got %s, want A2", a)
		}
	})
	t.Run("unknown host key is refused", func(t *testing.T) {
		other := filepath.Join(t.TempDir(), "other")
		if out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", other).CombinedOutput(); err != nil {
			t.Fatalf("ssh-keygen: %v\n%s", err, out)
		}
		otherPub, _ := os.ReadFile(other + ".pub")
		d, _ := startDaemonWith(t, url, func(c *config.Config) {
			c.Git.SSHKeyFile, c.Git.KnownHostsFile = srv.clientSK, srv.knownHosts(t, string(otherPub))
		})
		st := d.sync("")
		if st.Applied != nil || st.Attempted == nil || st.Attempted.Step != "fetch" {
			t.Fatalf("got %+v, want a failed fetch", st)
		}
		t.Logf("refused: %v", st.Errors)
	})
	t.Run("key not authorized", func(t *testing.T) {
		stranger := filepath.Join(t.TempDir(), "stranger")
		if out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", stranger).CombinedOutput(); err != nil {
			t.Fatalf("ssh-keygen: %v\n%s", err, out)
		}
		d, _ := startDaemonWith(t, url, func(c *config.Config) {
			c.Git.SSHKeyFile, c.Git.KnownHostsFile = stranger, srv.knownHosts(t, srv.hostPub)
		})
		if st := d.sync(""); st.Applied != nil || st.Attempted.Step != "fetch" {
			t.Fatalf("got %+v, want a failed fetch", st)
		}
	})
}
