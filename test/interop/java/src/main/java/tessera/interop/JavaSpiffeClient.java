package tessera.interop;

import io.spiffe.bundle.jwtbundle.JwtBundleSet;
import io.spiffe.bundle.x509bundle.X509Bundle;
import io.spiffe.bundle.x509bundle.X509BundleSet;
import io.spiffe.provider.SpiffeSslContextFactory;
import io.spiffe.provider.SpiffeSslContextFactory.SslContextOptions;
import io.spiffe.spiffeid.SpiffeId;
import io.spiffe.svid.jwtsvid.JwtSvid;
import io.spiffe.svid.x509svid.X509Svid;
import io.spiffe.svid.x509svid.X509SvidValidator;
import io.spiffe.workloadapi.DefaultJwtSource;
import io.spiffe.workloadapi.DefaultWorkloadApiClient;
import io.spiffe.workloadapi.DefaultX509Source;
import io.spiffe.workloadapi.JwtSource;
import io.spiffe.workloadapi.JwtSourceOptions;
import io.spiffe.workloadapi.Watcher;
import io.spiffe.workloadapi.WorkloadApiClient;
import io.spiffe.workloadapi.X509Context;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

/**
 * java-spiffe, used as its documentation shows, against SPIFFE_ENDPOINT_SOCKET (its default
 * endpoint): X509Source and X509SvidValidator, a mutual-TLS exchange through
 * SpiffeSslContextFactory, JwtSource and JwtSvid.parseAndValidate, the ValidateJWTSVID call, then
 * with --updates N a watch of the X.509 context for N updates.
 */
public final class JavaSpiffeClient {
  private JavaSpiffeClient() {}

  public static void main(String[] args) {
    Map<String, String> o = Events.options(args, 0);
    String expect = o.getOrDefault("expect-spiffe-id", "");
    String audience = o.getOrDefault("audience", "tessera-interop");
    int updates = Integer.parseInt(o.getOrDefault("updates", "0"));
    Duration timeout = Duration.ofSeconds(60);

    DefaultX509Source x509Source = null;
    try {
      x509Source = DefaultX509Source.newSource(DefaultX509Source.X509SourceOptions.builder().initTimeout(timeout).build());
    } catch (Exception e) {
      Events.fail("DefaultX509Source.newSource", e);
    }
    X509Svid svid = x509Source.getX509Svid();
    checkX509(svid, x509Source, expect, "x509");
    mutualTls(x509Source, svid.getSpiffeId());

    WorkloadApiClient client = null;
    try {
      client = DefaultWorkloadApiClient.newClient();
      X509BundleSet bundles = client.fetchX509Bundles();
      X509Bundle bundle = bundles.getBundleForTrustDomain(svid.getSpiffeId().getTrustDomain());
      Map<String, Object> fields = Events.event("x509_bundles");
      fields.put("trust_domains", bundles.getBundles().size());
      fields.put("bundle_size", bundle.getX509Authorities().size());
      Events.emit(fields);
    } catch (Exception e) {
      Events.fail("fetchX509Bundles", e);
    }

    checkJwt(client, expect, audience, timeout);
    if (updates > 0) watch(client, expect, updates);
    try {
      client.close();
    } catch (java.io.IOException ignored) {
      // closing is best effort
    }
    x509Source.close();
    Events.emit(Events.event("done"));
    System.exit(0);
  }

  static void checkX509(X509Svid svid, io.spiffe.bundle.BundleSource<X509Bundle> bundles, String expect, String event) {
    try {
      X509SvidValidator.verifyChain(svid.getChain(), bundles);
      if (!expect.isEmpty()) X509SvidValidator.verifySpiffeId(svid.getLeaf(), () -> Set.of(SpiffeId.parse(expect)));
      X509Bundle bundle = bundles.getBundleForTrustDomain(svid.getSpiffeId().getTrustDomain());
      Map<String, Object> fields = Events.event(event);
      fields.put("spiffe_id", svid.getSpiffeId().toString());
      fields.put("serial", svid.getLeaf().getSerialNumber().toString(16));
      fields.put("bundle_size", bundle.getX509Authorities().size());
      fields.put("chain_length", svid.getChain().size());
      fields.put("key_matches", keyMatches(svid));
      Events.emit(fields);
    } catch (Exception e) {
      Events.fail("X509SvidValidator", e);
    }
  }

  private static boolean keyMatches(X509Svid svid) throws Exception {
    java.security.Signature signer = java.security.Signature.getInstance("SHA256withECDSA");
    signer.initSign(svid.getPrivateKey());
    byte[] message = "tessera".getBytes(StandardCharsets.UTF_8);
    signer.update(message);
    byte[] signature = signer.sign();
    java.security.Signature verifier = java.security.Signature.getInstance("SHA256withECDSA");
    verifier.initVerify(svid.getLeaf().getPublicKey());
    verifier.update(message);
    return verifier.verify(signature);
  }

  /** A server and a client in this process, each holding the SVID, each accepting only `peer`. */
  private static void mutualTls(DefaultX509Source source, SpiffeId peer) {
    try {
      SSLContext context = SpiffeSslContextFactory.getSslContext(
          SslContextOptions.builder().x509Source(source).acceptedSpiffeIdsSupplier(() -> Set.of(peer)).build());
      try (SSLServerSocket server = (SSLServerSocket) context.getServerSocketFactory().createServerSocket(0)) {
        server.setNeedClientAuth(true);
        AtomicReference<String> serverSaw = new AtomicReference<>();
        Thread serving = new Thread(() -> {
          try (SSLSocket s = (SSLSocket) server.accept()) {
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            String line = in.readLine();
            serverSaw.set(line + " from " + uriSan((java.security.cert.X509Certificate) s.getSession().getPeerCertificates()[0]));
            new PrintWriter(s.getOutputStream(), true, StandardCharsets.UTF_8).println("pong");
          } catch (Exception e) {
            serverSaw.set("error: " + e);
          }
        });
        serving.start();
        try (SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", server.getLocalPort())) {
          new PrintWriter(s.getOutputStream(), true, StandardCharsets.UTF_8).println("ping");
          String reply = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8)).readLine();
          serving.join(10_000);
          if (!"pong".equals(reply) || serverSaw.get() == null || !serverSaw.get().startsWith("ping from ")) {
            throw new IllegalStateException("exchange failed: client got " + reply + ", server saw " + serverSaw.get());
          }
          Map<String, Object> fields = Events.event("mtls");
          fields.put("protocol", s.getSession().getProtocol());
          fields.put("server_saw", serverSaw.get());
          Events.emit(fields);
        }
      }
    } catch (Exception e) {
      Events.fail("SpiffeSslContextFactory mTLS", e);
    }
  }

  private static String uriSan(java.security.cert.X509Certificate certificate) throws Exception {
    for (java.util.List<?> name : certificate.getSubjectAlternativeNames()) {
      if (Integer.valueOf(6).equals(name.get(0))) return String.valueOf(name.get(1));
    }
    return "";
  }

  private static void checkJwt(WorkloadApiClient client, String expect, String audience, Duration timeout) {
    try (JwtSource source = DefaultJwtSource.newSource(JwtSourceOptions.builder().initTimeout(timeout).build())) {
      JwtSvid svid = expect.isEmpty() ? source.fetchJwtSvid(audience) : source.fetchJwtSvid(SpiffeId.parse(expect), audience);
      JwtSvid validated = JwtSvid.parseAndValidate(svid.getToken(), source, Set.of(audience));
      if (!expect.isEmpty() && !validated.getSpiffeId().toString().equals(expect)) {
        throw new IllegalStateException("JWT-SVID is " + validated.getSpiffeId() + ", expected " + expect);
      }
      JwtBundleSet bundles = client.fetchJwtBundles();
      JwtSvid.parseAndValidate(svid.getToken(), bundles, Set.of(audience));
      JwtSvid byServer = client.validateJwtSvid(svid.getToken(), audience);
      if (!byServer.getSpiffeId().equals(validated.getSpiffeId())) throw new IllegalStateException("server says " + byServer.getSpiffeId());
      boolean otherRefused;
      try {
        client.validateJwtSvid(svid.getToken(), audience + "-other");
        otherRefused = false;
      } catch (Exception expected) {
        otherRefused = true;
      }
      if (!otherRefused) throw new IllegalStateException("a token for another audience was accepted");
      Map<String, Object> fields = Events.event("jwt");
      fields.put("spiffe_id", validated.getSpiffeId().toString());
      fields.put("audience", String.join(",", validated.getAudience()));
      fields.put("jwt_bundles", bundles.getBundles().size());
      fields.put("validated_both", true);
      Events.emit(fields);
    } catch (Exception e) {
      Events.fail("JwtSource / JwtSvid.parseAndValidate", e);
    }
  }

  private static void watch(WorkloadApiClient client, String expect, int updates) {
    CountDownLatch done = new CountDownLatch(1);
    AtomicInteger seen = new AtomicInteger();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    client.watchX509Context(new Watcher<X509Context>() {
      @Override
      public void onUpdate(X509Context context) {
        int n = seen.getAndIncrement();
        if (n > updates) return;
        checkX509(context.getDefaultSvid(), context.getX509BundleSet(), expect, n == 0 ? "watching" : "update");
        if (n == updates) done.countDown();
      }

      @Override
      public void onError(Throwable error) {
        failure.set(error);
        done.countDown();
      }
    });
    try {
      if (!done.await(60, TimeUnit.SECONDS)) throw new IllegalStateException("saw " + Math.max(0, seen.get() - 1) + " of " + updates + " updates");
      if (failure.get() != null) throw failure.get();
    } catch (Throwable e) {
      Events.fail("watchX509Context", e);
    }
  }
}
