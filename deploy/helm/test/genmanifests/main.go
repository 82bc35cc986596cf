// Command genmanifests renders deploy/kubernetes (the plain manifests for `kubectl apply -k`)
// from the chart deploy/helm/actionsd and deploy/kubernetes/values.yaml. With -check it writes
// nothing and exits 1 when the files are out of date.
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	helmtest "github.com/actionsd/actionsd/deploy/helm/test"
)

func main() {
	check := flag.Bool("check", false, "only report whether deploy/kubernetes is out of date")
	flag.Parse()
	files, err := helmtest.Manifests()
	if err != nil {
		fmt.Fprintln(os.Stderr, "genmanifests:", err)
		os.Exit(1)
	}
	if *check {
		stale, err := helmtest.Stale(files)
		if err != nil {
			fmt.Fprintln(os.Stderr, "genmanifests:", err)
			os.Exit(1)
		}
		if len(stale) > 0 {
			fmt.Fprintf(os.Stderr, "genmanifests: deploy/kubernetes is out of date (run `cd deploy/helm/test && go run ./genmanifests`):\n  %s\n", strings.Join(stale, "\n  "))
			os.Exit(1)
		}
		return
	}
	if err := helmtest.WriteManifests(files); err != nil {
		fmt.Fprintln(os.Stderr, "genmanifests:", err)
		os.Exit(1)
	}
}
