// Command bench-client is the one client of the side-by-side benchmark (bench/side-by-side.ts). It
// drives a SPIFFE Workload API endpoint with go-spiffe v2, whoever serves it (Tessera's agent or
// spire-agent), and an issuer's X.509-SVID API with a load of concurrent requests (Tessera's
// POST /v1/svids/x509 with a bot credential, or SPIRE's MintX509SVID over the server's local
// socket). Each mode prints one JSON object on stdout and exits 0, or prints the error and exits 1.
//
//	bench-client workload  -socket unix:///PATH -agent-pid N [-reused 500 -fresh 300 -jwt 500]
//	bench-client watchers  -socket unix:///PATH [-n 1000]
//	bench-client first-fetch -socket unix:///PATH -since UNIX_NANOS
//	bench-client first-200 -url URL -since UNIX_NANOS
//	bench-client issue -target tessera|spire ... -concurrency N -duration 3s -server-pid N
package main

import (
	"encoding/json"
	"fmt"
	"os"
)

func emit(result any) {
	line, err := json.Marshal(result)
	if err != nil {
		fail(err)
	}
	fmt.Println(string(line))
}

func fail(err error) {
	fmt.Fprintf(os.Stderr, "bench-client: %v\n", err)
	os.Exit(1)
}

func main() {
	if len(os.Args) < 2 {
		fail(fmt.Errorf("usage: bench-client workload|watchers|first-fetch|first-200|issue [flags]"))
	}
	modes := map[string]func([]string) (any, error){
		"workload":    runWorkload,
		"watchers":    runWatchers,
		"first-fetch": runFirstFetch,
		"first-200":   runFirst200,
		"issue":       runIssue,
	}
	mode, ok := modes[os.Args[1]]
	if !ok {
		fail(fmt.Errorf("unknown mode %q", os.Args[1]))
	}
	result, err := mode(os.Args[2:])
	if err != nil {
		fail(err)
	}
	emit(result)
}
