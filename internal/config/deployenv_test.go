package config

import "testing"

// ACTIONSD_DATA_DIR and ACTIONSD_ADDR (what the container image sets) override the file's
// data_dir and addr; unset, they leave them.
func TestApplyEnvDataDirAddr(t *testing.T) {
	c := Default()
	c.DataDir, c.Addr = "/from/file", "127.0.0.1:1"
	if err := c.ApplyEnv(func(string) string { return "" }); err != nil {
		t.Fatal(err)
	}
	if c.DataDir != "/from/file" || c.Addr != "127.0.0.1:1" {
		t.Errorf("empty env changed data_dir %q addr %q", c.DataDir, c.Addr)
	}
	env := map[string]string{"ACTIONSD_DATA_DIR": "/var/lib/actionsd", "ACTIONSD_ADDR": ":8080"}
	if err := c.ApplyEnv(func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
	if c.DataDir != "/var/lib/actionsd" || c.Addr != ":8080" {
		t.Errorf("data_dir %q addr %q, want the environment's", c.DataDir, c.Addr)
	}
}
