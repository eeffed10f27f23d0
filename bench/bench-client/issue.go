package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	svidv1 "github.com/spiffe/spire-api-sdk/proto/spire/api/server/svid/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// issueOnce asks the issuer for one X.509-SVID and reports whether it came back.
type issueOnce func(ctx context.Context) error

// tesseraIssuer posts a CSR to Tessera's POST /v1/svids/x509 with a bot credential.
func tesseraIssuer(issuerURL, credential, spiffeID string, concurrency int, csrDER []byte) issueOnce {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: concurrency, MaxConnsPerHost: concurrency}}
	body, _ := json.Marshal(map[string]string{
		"csr":       string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: csrDER})),
		"spiffe_id": spiffeID,
	})
	endpoint := issuerURL + "/v1/svids/x509"
	return func(ctx context.Context) error {
		request, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
		if err != nil {
			return err
		}
		request.Header.Set("content-type", "application/json")
		request.Header.Set("authorization", "Bearer "+credential)
		response, err := client.Do(request)
		if err != nil {
			return err
		}
		defer response.Body.Close()
		var issued struct {
			Certificates []string `json:"certificates"`
		}
		if response.StatusCode != http.StatusOK {
			text, _ := io.ReadAll(response.Body)
			return fmt.Errorf("POST /v1/svids/x509: %d %s", response.StatusCode, text)
		}
		if err := json.NewDecoder(response.Body).Decode(&issued); err != nil {
			return err
		}
		if len(issued.Certificates) == 0 {
			return errors.New("POST /v1/svids/x509: no certificate")
		}
		return nil
	}
}

// spireIssuer calls SPIRE's SVID.MintX509SVID on the server's local (admin) socket.
func spireIssuer(socket string, csrDER []byte) (issueOnce, error) {
	conn, err := grpc.NewClient("unix://"+socket, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return nil, err
	}
	client := svidv1.NewSVIDClient(conn)
	return func(ctx context.Context) error {
		response, err := client.MintX509SVID(ctx, &svidv1.MintX509SVIDRequest{Csr: csrDER, Ttl: 3600})
		if err != nil {
			return err
		}
		if len(response.GetSvid().GetCertChain()) == 0 {
			return errors.New("MintX509SVID: no certificate")
		}
		return nil
	}, nil
}

// newCsr makes a P-256 key and a CSR for it, with the SPIFFE ID as URI SAN when uri is set (SPIRE
// reads the ID from the CSR; Tessera takes it beside the CSR).
func newCsr(uri string) ([]byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	template := &x509.CertificateRequest{}
	if uri != "" {
		id, err := url.Parse(uri)
		if err != nil {
			return nil, err
		}
		template.URIs = []*url.URL{id}
	}
	return x509.CreateCertificateRequest(rand.Reader, template, key)
}

// issueResult is one load run: SVIDs per second and the server's CPU per SVID.
type issueResult struct {
	PerSecond        float64 `json:"svids_per_second"`
	ServerCPUPerSvid float64 `json:"server_cpu_per_svid_us"`
	Issued           int64   `json:"issued"`
}

// runLoad keeps concurrency requests in flight; after warmup it counts the SVIDs issued and the
// server's CPU over duration.
func runLoad(issue issueOnce, concurrency int, warmup, duration time.Duration, serverPid int) (issueResult, error) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var issued atomic.Int64
	var firstErr error
	var errOnce sync.Once
	var workers sync.WaitGroup
	for i := 0; i < concurrency; i++ {
		workers.Add(1)
		go func() {
			defer workers.Done()
			for ctx.Err() == nil {
				if err := issue(ctx); err != nil {
					if ctx.Err() == nil {
						errOnce.Do(func() { firstErr = err; cancel() })
					}
					return
				}
				issued.Add(1)
			}
		}()
	}
	time.Sleep(warmup)
	cpu0, err0 := cpuTime(serverPid)
	count0, t0 := issued.Load(), time.Now()
	time.Sleep(duration)
	cpu1, err1 := cpuTime(serverPid)
	count1, elapsed := issued.Load(), time.Since(t0)
	cancel()
	workers.Wait()
	if firstErr != nil {
		return issueResult{}, firstErr
	}
	if err := errors.Join(err0, err1); err != nil {
		return issueResult{}, err
	}
	n := count1 - count0
	if n == 0 {
		return issueResult{}, errors.New("no SVID issued in the measured window")
	}
	return issueResult{
		PerSecond:        float64(n) / elapsed.Seconds(),
		ServerCPUPerSvid: float64(cpu1-cpu0) / float64(time.Microsecond) / float64(n),
		Issued:           n,
	}, nil
}

func runIssue(args []string) (any, error) {
	flags := flag.NewFlagSet("issue", flag.ContinueOnError)
	target := flags.String("target", "", "tessera or spire")
	issuerURL := flags.String("url", "", "Tessera: the issuer's base URL")
	credentialFile := flags.String("credential-file", "", "Tessera: a file holding a bot credential")
	socket := flags.String("socket", "", "SPIRE: the server's local API socket path")
	spiffeID := flags.String("spiffe-id", "", "the SPIFFE ID to issue")
	concurrency := flags.Int("concurrency", 8, "requests in flight")
	warmup := flags.Duration("warmup", 500*time.Millisecond, "load before measuring")
	duration := flags.Duration("duration", 3*time.Second, "measured window")
	serverPid := flags.Int("server-pid", 0, "the issuer's pid, for its CPU time")
	if err := flags.Parse(args); err != nil {
		return nil, err
	}
	var issue issueOnce
	switch *target {
	case "tessera":
		csr, err := newCsr("")
		if err != nil {
			return nil, err
		}
		credential, err := os.ReadFile(*credentialFile)
		if err != nil {
			return nil, err
		}
		issue = tesseraIssuer(*issuerURL, strings.TrimSpace(string(credential)), *spiffeID, *concurrency, csr)
	case "spire":
		csr, err := newCsr(*spiffeID)
		if err != nil {
			return nil, err
		}
		if issue, err = spireIssuer(*socket, csr); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("-target must be tessera or spire, not %q", *target)
	}
	return runLoad(issue, *concurrency, *warmup, *duration, *serverPid)
}

func runFirst200(args []string) (any, error) {
	flags := flag.NewFlagSet("first-200", flag.ContinueOnError)
	target := flags.String("url", "", "the URL to GET")
	since := sinceFlag(flags)
	timeout := flags.Duration("timeout", time.Minute, "give up after")
	if err := flags.Parse(args); err != nil {
		return nil, err
	}
	client := &http.Client{}
	ms, err := pollUntil(*since, *timeout, func(ctx context.Context) error {
		request, err := http.NewRequestWithContext(ctx, http.MethodGet, *target, nil)
		if err != nil {
			return err
		}
		response, err := client.Do(request)
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, response.Body)
		response.Body.Close()
		if response.StatusCode != http.StatusOK {
			return fmt.Errorf("GET %s: %d", *target, response.StatusCode)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return map[string]float64{"first_200_ms": ms}, nil
}
