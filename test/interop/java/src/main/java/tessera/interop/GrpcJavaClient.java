package tessera.interop;

import com.google.protobuf.ByteString;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.spiffe.workloadapi.grpc.SpiffeWorkloadAPIGrpc;
import io.spiffe.workloadapi.grpc.SpiffeWorkloadAPIGrpc.SpiffeWorkloadAPIBlockingStub;
import io.spiffe.workloadapi.grpc.Workload;
import java.io.ByteArrayInputStream;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The plainest grpc-java client: a channel to "unix://" + the socket path with grpc-java's default
 * authority (the path itself), the Workload API stubs that java-spiffe ships, and the JDK's own PKIX
 * validation. Fetches and verifies the X.509-SVID, fetches the bundles, fetches a JWT-SVID and has
 * the agent validate it, then with --updates N reads N more responses of the X.509 stream.
 */
public final class GrpcJavaClient {
  private GrpcJavaClient() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> o = Events.options(args, 0);
    String expect = o.getOrDefault("expect-spiffe-id", "");
    String audience = o.getOrDefault("audience", "tessera-interop");
    int updates = Integer.parseInt(o.getOrDefault("updates", "0"));
    String endpoint = System.getenv("SPIFFE_ENDPOINT_SOCKET");
    String path = endpoint.replaceFirst("^unix:(//)?", "");

    ManagedChannel channel = Grpc.newChannelBuilder("unix://" + path, InsecureChannelCredentials.create()).build();
    Metadata header = new Metadata();
    header.put(Metadata.Key.of("workload.spiffe.io", Metadata.ASCII_STRING_MARSHALLER), "true");
    SpiffeWorkloadAPIBlockingStub stub = SpiffeWorkloadAPIGrpc.newBlockingStub(channel)
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(header));
    Map<String, Object> info = Events.event("channel");
    info.put("authority", channel.authority());
    Events.emit(info);

    Iterator<Workload.X509SVIDResponse> stream = null;
    try {
      stream = stub.withDeadlineAfter(90, TimeUnit.SECONDS).fetchX509SVID(Workload.X509SVIDRequest.getDefaultInstance());
      verify(stream.next(), expect, "x509");
      Workload.X509BundlesResponse bundles = stub.withDeadlineAfter(30, TimeUnit.SECONDS)
          .fetchX509Bundles(Workload.X509BundlesRequest.getDefaultInstance()).next();
      Map<String, Object> fields = Events.event("x509_bundles");
      fields.put("trust_domains", bundles.getBundlesCount());
      Events.emit(fields);
    } catch (Exception e) {
      Events.fail("FetchX509SVID", e);
    }

    try {
      Workload.JWTSVIDResponse jwt = stub.withDeadlineAfter(30, TimeUnit.SECONDS)
          .fetchJWTSVID(Workload.JWTSVIDRequest.newBuilder().addAudience(audience).setSpiffeId(expect).build());
      String token = jwt.getSvids(0).getSvid();
      Workload.ValidateJWTSVIDResponse validated = stub.withDeadlineAfter(30, TimeUnit.SECONDS)
          .validateJWTSVID(Workload.ValidateJWTSVIDRequest.newBuilder().setAudience(audience).setSvid(token).build());
      if (!expect.isEmpty() && !validated.getSpiffeId().equals(expect)) throw new IllegalStateException("validated as " + validated.getSpiffeId());
      try {
        stub.validateJWTSVID(Workload.ValidateJWTSVIDRequest.newBuilder().setAudience(audience + "-other").setSvid(token).build());
        throw new IllegalStateException("a token for another audience was accepted");
      } catch (StatusRuntimeException expected) {
        // InvalidArgument, as the standard says
      }
      Workload.JWTBundlesResponse jwtBundles = stub.withDeadlineAfter(30, TimeUnit.SECONDS)
          .fetchJWTBundles(Workload.JWTBundlesRequest.getDefaultInstance()).next();
      Map<String, Object> fields = Events.event("jwt");
      fields.put("spiffe_id", validated.getSpiffeId());
      fields.put("jwt_bundles", jwtBundles.getBundlesCount());
      fields.put("validated_both", true);
      Events.emit(fields);
    } catch (Exception e) {
      Events.fail("FetchJWTSVID / ValidateJWTSVID", e);
    }

    try {
      for (int n = 0; n <= updates && updates > 0; n++) verify(n == 0 ? stream.next() : stream.next(), expect, n == 0 ? "watching" : "update");
    } catch (Exception e) {
      Events.fail("FetchX509SVID (watch)", e);
    }
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    Events.emit(Events.event("done"));
    System.exit(0);
  }

  private static List<X509Certificate> certificates(ByteString der) throws Exception {
    List<X509Certificate> out = new ArrayList<>();
    for (Object c : CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(der.toByteArray()))) {
      out.add((X509Certificate) c);
    }
    return out;
  }

  /** PKIX-validate the first SVID against its bundle, and check its URI SAN. */
  private static void verify(Workload.X509SVIDResponse response, String expect, String event) throws Exception {
    Workload.X509SVID svid = response.getSvids(0);
    List<X509Certificate> chain = certificates(svid.getX509Svid());
    List<X509Certificate> bundle = certificates(svid.getBundle());
    Set<TrustAnchor> anchors = new HashSet<>();
    for (X509Certificate ca : bundle) anchors.add(new TrustAnchor(ca, null));
    PKIXParameters params = new PKIXParameters(anchors);
    params.setRevocationEnabled(false);
    CertPathValidator.getInstance("PKIX").validate(CertificateFactory.getInstance("X.509").generateCertPath(chain), params);
    String uri = "";
    for (List<?> name : chain.get(0).getSubjectAlternativeNames()) if (Integer.valueOf(6).equals(name.get(0))) uri = String.valueOf(name.get(1));
    if (!uri.equals(svid.getSpiffeId()) || (!expect.isEmpty() && !uri.equals(expect))) throw new IllegalStateException("SVID is " + uri);
    Map<String, Object> fields = Events.event(event);
    fields.put("spiffe_id", uri);
    fields.put("serial", chain.get(0).getSerialNumber().toString(16));
    fields.put("bundle_size", bundle.size());
    Events.emit(fields);
  }
}
