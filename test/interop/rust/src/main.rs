//! The Rust `spiffe` crate against SPIFFE_ENDPOINT_SOCKET: fetches the X.509 context and the bundles,
//! fetches a JWT-SVID and validates it with `JwtSvid::parse_and_validate` and with the
//! ValidateJWTSVID call, then with `--updates N` watches the X.509 context for N updates. Prints
//! the same JSON lines as the go-spiffe client and exits 1 after an `{"event":"error"}` line.
use spiffe::{JwtSvid, SpiffeId, WorkloadApiClient, X509Svid};
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::time::Duration;
use tokio_stream::StreamExt;

fn quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c)
            }
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn emit(fields: &[(&str, String)]) {
    let body: Vec<String> = fields.iter().map(|(k, v)| format!("{}:{}", quote(k), v)).collect();
    println!("{{{}}}", body.join(","));
}

fn fail(step: &str, err: impl std::fmt::Display) -> ! {
    emit(&[("event", quote("error")), ("step", quote(step)), ("error", quote(&err.to_string()))]);
    std::process::exit(1)
}

/// A stand-in for the leaf's serial: a digest of its DER, which changes on every renewal.
fn serial(svid: &X509Svid) -> String {
    let mut h = DefaultHasher::new();
    svid.leaf().content().hash(&mut h);
    format!("{:x}", h.finish())
}

fn describe(event: &str, svid: &X509Svid, bundle_size: usize, expect: &str) {
    if !expect.is_empty() && svid.spiffe_id().to_string() != expect {
        fail("X509Svid", format!("SVID is {}, expected {}", svid.spiffe_id(), expect));
    }
    emit(&[
        ("event", quote(event)),
        ("spiffe_id", quote(&svid.spiffe_id().to_string())),
        ("serial", quote(&serial(svid))),
        ("bundle_size", bundle_size.to_string()),
        ("chain_length", svid.cert_chain().len().to_string()),
    ]);
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let option = |name: &str, default: &str| {
        args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned().unwrap_or_else(|| default.to_string())
    };
    let expect = option("--expect-spiffe-id", "");
    let audience = option("--audience", "tessera-interop");
    let updates: usize = option("--updates", "0").parse().unwrap_or(0);

    let run = async {
        let mut client = WorkloadApiClient::default().await.unwrap_or_else(|e| fail("WorkloadApiClient::default", e));
        let context = client.fetch_x509_context().await.unwrap_or_else(|e| fail("fetch_x509_context", e));
        let svid = context.default_svid().unwrap_or_else(|| fail("fetch_x509_context", "no SVID"));
        let td = svid.spiffe_id().trust_domain().clone();
        let bundle = context.bundle_set().get_bundle(&td).unwrap_or_else(|| fail("fetch_x509_context", "no bundle"));
        describe("x509", svid, bundle.authorities().len(), &expect);

        let bundles = client.fetch_x509_bundles().await.unwrap_or_else(|e| fail("fetch_x509_bundles", e));
        let size = bundles.get_bundle(&td).map(|b| b.authorities().len()).unwrap_or_else(|| fail("fetch_x509_bundles", "no bundle"));
        emit(&[("event", quote("x509_bundles")), ("bundle_size", size.to_string())]);

        let subject = if expect.is_empty() { None } else { Some(SpiffeId::try_from(expect.as_str()).unwrap_or_else(|e| fail("flags", e))) };
        let token = client.fetch_jwt_token(&[audience.as_str()], subject.as_ref()).await.unwrap_or_else(|e| fail("fetch_jwt_token", e));
        let jwt_bundles = client.fetch_jwt_bundles().await.unwrap_or_else(|e| fail("fetch_jwt_bundles", e));
        let validated = JwtSvid::parse_and_validate(&token, &jwt_bundles, &[audience.as_str()]).unwrap_or_else(|e| fail("JwtSvid::parse_and_validate", e));
        let by_server = client.validate_jwt_token(audience.as_str(), &token).await.unwrap_or_else(|e| fail("validate_jwt_token", e));
        if by_server.spiffe_id() != validated.spiffe_id() {
            fail("validate_jwt_token", "the agent and local validation disagree");
        }
        if client.validate_jwt_token(format!("{audience}-other"), &token).await.is_ok() {
            fail("validate_jwt_token", "a token for another audience was accepted");
        }
        emit(&[("event", quote("jwt")), ("spiffe_id", quote(&validated.spiffe_id().to_string())), ("validated_both", "true".into())]);

        if updates > 0 {
            let mut stream = client.stream_x509_contexts().await.unwrap_or_else(|e| fail("stream_x509_contexts", e));
            for n in 0..=updates {
                let context = match stream.next().await {
                    Some(Ok(c)) => c,
                    Some(Err(e)) => fail("stream_x509_contexts", e),
                    None => fail("stream_x509_contexts", "the stream ended"),
                };
                let svid = context.default_svid().unwrap_or_else(|| fail("stream_x509_contexts", "no SVID"));
                let size = context.bundle_set().get_bundle(&td).map(|b| b.authorities().len()).unwrap_or(0);
                describe(if n == 0 { "watching" } else { "update" }, svid, size, &expect);
            }
        }
        emit(&[("event", quote("done"))]);
    };
    if tokio::time::timeout(Duration::from_secs(60), run).await.is_err() {
        fail("timeout", "gave up after 60s");
    }
}
