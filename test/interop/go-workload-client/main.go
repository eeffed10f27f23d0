// Command go-workload-client checks a SPIFFE Workload API endpoint with go-spiffe v2, a client
// nobody at Tessera wrote. It reads the endpoint from SPIFFE_ENDPOINT_SOCKET, then:
//
//  1. fetches the X.509 context and verifies the default SVID with x509svid.Verify against the
//     bundle set it came with;
//  2. fetches the X.509 bundles (FetchX509Bundles) and checks the SVID's trust domain is there;
//  3. fetches a JWT-SVID for -audience and validates it twice: locally with
//     jwtsvid.ParseAndValidate against the fetched JWT bundles, and with the ValidateJWTSVID call;
//  4. with -updates N, watches the X.509 context and verifies each of the next N updates; with
//     -allow-unverified, an update that does not verify (an SVID whose CA just left the bundle, before
//     the agent renews it) is reported as {"event":"unverified_update"} and not counted.
//
// Every step prints one JSON line; the first failure prints {"event":"error"} and exits 1.
package main

import (
	"context"
	"crypto"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spiffe/go-spiffe/v2/bundle/x509bundle"
	"github.com/spiffe/go-spiffe/v2/spiffeid"
	"github.com/spiffe/go-spiffe/v2/svid/jwtsvid"
	"github.com/spiffe/go-spiffe/v2/svid/x509svid"
	"github.com/spiffe/go-spiffe/v2/workloadapi"
)

type options struct {
	expectID string
	audience string
	updates  int
	timeout  time.Duration
	// allowUnverified reports an update that fails x509svid.Verify instead of failing on it.
	allowUnverified bool
}

func emit(fields map[string]any) {
	line, _ := json.Marshal(fields)
	fmt.Println(string(line))
}

func fail(step string, err error) {
	emit(map[string]any{"event": "error", "step": step, "error": err.Error()})
	os.Exit(1)
}

// verify checks the default SVID against the bundle set and describes it.
func verify(svid *x509svid.SVID, bundles *x509bundle.Set, expectID string) (map[string]any, error) {
	id, chains, err := x509svid.Verify(svid.Certificates, bundles)
	if err != nil {
		return nil, err
	}
	if expectID != "" && id.String() != expectID {
		return nil, fmt.Errorf("SVID is %s, expected %s", id, expectID)
	}
	bundle, err := bundles.GetX509BundleForTrustDomain(id.TrustDomain())
	if err != nil {
		return nil, err
	}
	return map[string]any{
		"spiffe_id":     id.String(),
		"serial":        fmt.Sprintf("%x", svid.Certificates[0].SerialNumber),
		"hint":          svid.Hint,
		"bundle_size":   len(bundle.X509Authorities()),
		"trust_domains": len(bundles.Bundles()),
		"chain_length":  len(chains[0]),
		"not_after":     svid.Certificates[0].NotAfter.UTC().Format(time.RFC3339),
		"key_matches":   keyMatches(svid),
	}, nil
}

func keyMatches(svid *x509svid.SVID) bool {
	public, ok := svid.PrivateKey.Public().(interface{ Equal(crypto.PublicKey) bool })
	return ok && public.Equal(svid.Certificates[0].PublicKey)
}

func checkX509(ctx context.Context, client *workloadapi.Client, o options) {
	x509Context, err := client.FetchX509Context(ctx)
	if err != nil {
		fail("FetchX509Context", err)
	}
	fields, err := verify(x509Context.DefaultSVID(), x509Context.Bundles, o.expectID)
	if err != nil {
		fail("x509svid.Verify", err)
	}
	fields["event"] = "x509"
	fields["svids"] = len(x509Context.SVIDs)
	emit(fields)

	bundles, err := client.FetchX509Bundles(ctx)
	if err != nil {
		fail("FetchX509Bundles", err)
	}
	td := x509Context.DefaultSVID().ID.TrustDomain()
	bundle, ok := bundles.Get(td)
	if !ok {
		fail("FetchX509Bundles", fmt.Errorf("no bundle for %s", td))
	}
	emit(map[string]any{"event": "x509_bundles", "trust_domains": bundles.Len(), "bundle_size": len(bundle.X509Authorities())})
}

func checkJWT(ctx context.Context, client *workloadapi.Client, o options) {
	params := jwtsvid.Params{Audience: o.audience}
	if o.expectID != "" {
		id, err := spiffeid.FromString(o.expectID)
		if err != nil {
			fail("flags", err)
		}
		params.Subject = id
	}
	svid, err := client.FetchJWTSVID(ctx, params)
	if err != nil {
		fail("FetchJWTSVID", err)
	}
	bundles, err := client.FetchJWTBundles(ctx)
	if err != nil {
		fail("FetchJWTBundles", err)
	}
	validated, err := jwtsvid.ParseAndValidate(svid.Marshal(), bundles, []string{o.audience})
	if err != nil {
		fail("jwtsvid.ParseAndValidate", err)
	}
	if o.expectID != "" && validated.ID.String() != o.expectID {
		fail("jwtsvid.ParseAndValidate", fmt.Errorf("JWT-SVID is %s, expected %s", validated.ID, o.expectID))
	}
	byServer, err := client.ValidateJWTSVID(ctx, svid.Marshal(), o.audience)
	if err != nil {
		fail("ValidateJWTSVID", err)
	}
	if byServer.ID != validated.ID {
		fail("ValidateJWTSVID", fmt.Errorf("server says %s, local validation %s", byServer.ID, validated.ID))
	}
	if _, err := client.ValidateJWTSVID(ctx, svid.Marshal(), o.audience+"-other"); err == nil {
		fail("ValidateJWTSVID", fmt.Errorf("a token for another audience was accepted"))
	}
	emit(map[string]any{
		"event":          "jwt",
		"spiffe_id":      validated.ID.String(),
		"audience":       validated.Audience,
		"expiry":         validated.Expiry.UTC().Format(time.RFC3339),
		"server_claims":  len(byServer.Claims),
		"jwt_bundles":    bundles.Len(),
		"validated_both": true,
	})
}

// watcher verifies every X.509 context update after the first and stops after the wanted count.
type watcher struct {
	o       options
	seen    int
	cancel  context.CancelFunc
	failure error
}

func (w *watcher) OnX509ContextUpdate(c *workloadapi.X509Context) {
	fields, err := verify(c.DefaultSVID(), c.Bundles, w.o.expectID)
	if err != nil && w.o.allowUnverified && w.seen > 0 {
		emit(map[string]any{"event": "unverified_update", "error": err.Error(), "serial": fmt.Sprintf("%x", c.DefaultSVID().Certificates[0].SerialNumber)})
		return
	}
	if err != nil {
		w.failure = err
		w.cancel()
		return
	}
	fields["update"] = w.seen
	if w.seen == 0 {
		fields["event"] = "watching"
	} else {
		fields["event"] = "update"
	}
	emit(fields)
	if w.seen == w.o.updates {
		w.cancel()
	}
	w.seen++
}

func (w *watcher) OnX509ContextWatchError(err error) {
	if !strings.Contains(err.Error(), "context canceled") {
		emit(map[string]any{"event": "watch_error", "error": err.Error()})
	}
}

func watch(ctx context.Context, client *workloadapi.Client, o options) {
	ctx, cancel := context.WithCancel(ctx)
	w := &watcher{o: o, cancel: cancel}
	err := client.WatchX509Context(ctx, w)
	if w.failure != nil {
		fail("x509svid.Verify (update)", w.failure)
	}
	if w.seen <= o.updates {
		fail("WatchX509Context", fmt.Errorf("saw %d of %d updates: %v", w.seen-1, o.updates, err))
	}
}

func main() {
	var o options
	flag.StringVar(&o.expectID, "expect-spiffe-id", os.Getenv("EXPECT_SPIFFE_ID"), "SPIFFE ID the default SVID and the JWT-SVID must have (default: any)")
	flag.StringVar(&o.audience, "audience", "tessera-interop", "audience of the JWT-SVID")
	flag.IntVar(&o.updates, "updates", 0, "watch the X.509 context for this many updates after the first response")
	flag.DurationVar(&o.timeout, "timeout", 60*time.Second, "give up after this long")
	flag.BoolVar(&o.allowUnverified, "allow-unverified", false, "report watch updates that do not verify instead of failing")
	flag.Parse()
	if os.Getenv("SPIFFE_ENDPOINT_SOCKET") == "" {
		fail("flags", fmt.Errorf("SPIFFE_ENDPOINT_SOCKET is not set"))
	}

	ctx, cancel := context.WithTimeout(context.Background(), o.timeout)
	defer cancel()
	client, err := workloadapi.New(ctx)
	if err != nil {
		fail("workloadapi.New", err)
	}
	defer client.Close()

	checkX509(ctx, client, o)
	checkJWT(ctx, client, o)
	if o.updates > 0 {
		watch(ctx, client, o)
	}
	emit(map[string]any{"event": "done"})
}
