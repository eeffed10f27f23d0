"""Check a SPIFFE Workload API endpoint with py-spiffe, a client nobody at Tessera wrote.

Reads the endpoint from SPIFFE_ENDPOINT_SOCKET, then:

1. fetches the X.509 context and verifies the default SVID's chain against the bundle of its trust
   domain (py-spiffe parses and profile-checks SVIDs but has no chain verifier, so the chain is
   checked with `cryptography`: SPIFFE-style by trust domain, and with its stock X.509 verifier);
2. fetches the X.509 bundles and checks the SVID's trust domain is there;
3. fetches a JWT-SVID for --audience and validates it with JwtSvid.parse_and_validate against the
   fetched JWT bundle, and with the ValidateJWTSVID call;
4. with --updates N, watches through an X509Source and verifies each of the next N updates.

Every step prints one JSON line; the first failure prints {"event": "error"} and exits 1.
"""

import argparse
import datetime
import json
import os
import queue
import sys

from cryptography import x509
from cryptography.x509 import verification
from spiffe import JwtSvid, SpiffeId, WorkloadApiClient, X509Source


def emit(**fields):
    print(json.dumps(fields), flush=True)


def fail(step, err):
    emit(event="error", step=step, error=f"{type(err).__name__}: {err}")
    sys.exit(1)


def verify_chain(svid, bundle_set, expect_id):
    """Verify the SVID against the bundle of its own trust domain; describe it."""
    spiffe_id = svid.spiffe_id
    if expect_id and str(spiffe_id) != expect_id:
        raise ValueError(f"SVID is {spiffe_id}, expected {expect_id}")
    bundle = bundle_set.get_bundle_for_trust_domain(spiffe_id.trust_domain)
    if bundle is None:
        raise ValueError(f"no bundle for {spiffe_id.trust_domain}")
    authorities = list(bundle.x509_authorities)
    now = datetime.datetime.now(datetime.timezone.utc)
    chain = svid.cert_chain
    for cert in chain:
        if not cert.not_valid_before_utc <= now <= cert.not_valid_after_utc:
            raise ValueError(f"certificate {cert.serial_number:x} is not valid now")
    issuer_found = False
    for authority in authorities:
        try:
            chain[-1].verify_directly_issued_by(authority)
            issuer_found = True
            break
        except Exception:  # noqa: BLE001 - not this authority; try the next one
            continue
    for child, parent in zip(chain, chain[1:]):
        child.verify_directly_issued_by(parent)
    if not issuer_found:
        raise ValueError("no authority in the bundle issued the chain")
    # A second, stock verifier: cryptography's RFC 5280 path validation as a TLS client cert.
    store = verification.Store(authorities)
    verifier = verification.PolicyBuilder().store(store).time(now).build_client_verifier()
    verified = verifier.verify(chain[0], chain[1:])
    uris = [n.value for n in verified.subjects if isinstance(n, x509.UniformResourceIdentifier)]
    if uris != [str(spiffe_id)]:
        raise ValueError(f"verified URI SANs {uris} are not [{spiffe_id}]")
    public = svid.private_key.public_key()
    return {
        "spiffe_id": str(spiffe_id),
        "serial": f"{chain[0].serial_number:x}",
        "bundle_size": len(authorities),
        "trust_domains": len(bundle_set.bundles),
        "chain_length": len(verified.chain),
        "key_matches": public == chain[0].public_key(),
    }


def check_x509(client, args):
    try:
        context = client.fetch_x509_context()
    except Exception as err:  # noqa: BLE001
        fail("fetch_x509_context", err)
    try:
        fields = verify_chain(context.default_svid, context.x509_bundle_set, args.expect_spiffe_id)
    except Exception as err:  # noqa: BLE001
        fail("verify", err)
    emit(event="x509", svids=len(context.x509_svids), **fields)
    try:
        bundles = client.fetch_x509_bundles()
    except Exception as err:  # noqa: BLE001
        fail("fetch_x509_bundles", err)
    bundle = bundles.get_bundle_for_trust_domain(context.default_svid.spiffe_id.trust_domain)
    if bundle is None:
        fail("fetch_x509_bundles", ValueError("no bundle for the SVID's trust domain"))
    emit(event="x509_bundles", trust_domains=len(bundles.bundles), bundle_size=len(bundle.x509_authorities))


def check_jwt(client, args):
    subject = SpiffeId(args.expect_spiffe_id) if args.expect_spiffe_id else None
    try:
        svid = client.fetch_jwt_svid(audience={args.audience}, subject=subject)
        bundles = client.fetch_jwt_bundles()
    except Exception as err:  # noqa: BLE001
        fail("fetch_jwt_svid", err)
    bundle = bundles.get_bundle_for_trust_domain(svid.spiffe_id.trust_domain)
    if bundle is None:
        fail("fetch_jwt_bundles", ValueError("no JWT bundle for the JWT-SVID's trust domain"))
    try:
        validated = JwtSvid.parse_and_validate(svid.token, bundle, {args.audience})
    except Exception as err:  # noqa: BLE001
        fail("JwtSvid.parse_and_validate", err)
    if subject is not None and validated.spiffe_id != subject:
        fail("JwtSvid.parse_and_validate", ValueError(f"JWT-SVID is {validated.spiffe_id}"))
    try:
        by_server = client.validate_jwt_svid(svid.token, args.audience)
    except Exception as err:  # noqa: BLE001
        fail("validate_jwt_svid", err)
    try:
        client.validate_jwt_svid(svid.token, args.audience + "-other")
        fail("validate_jwt_svid", ValueError("a token for another audience was accepted"))
    except SystemExit:
        raise
    except Exception:  # noqa: BLE001 - the rejection this check wants
        pass
    emit(
        event="jwt",
        spiffe_id=str(validated.spiffe_id),
        audience=sorted(validated.audience),
        server_spiffe_id=str(by_server.spiffe_id),
        jwt_bundles=len(bundles.bundles),
        validated_both=True,
    )


def watch(args):
    updates = queue.Queue()
    try:
        source = X509Source(timeout_in_seconds=args.timeout)
    except Exception as err:  # noqa: BLE001
        fail("X509Source", err)
    try:
        source.subscribe_for_updates(lambda: updates.put(None))
        emit(event="watching", update=0, **verify_chain(source.svid, _bundle_set(source), args.expect_spiffe_id))
        for n in range(1, args.updates + 1):
            try:
                updates.get(timeout=args.timeout)
            except queue.Empty:
                fail("X509Source", TimeoutError(f"saw {n - 1} of {args.updates} updates"))
            try:
                emit(event="update", update=n, **verify_chain(source.svid, _bundle_set(source), args.expect_spiffe_id))
            except Exception as err:  # noqa: BLE001
                fail("verify (update)", err)
    finally:
        source.close()


def _bundle_set(source):
    return source.get_x509_context().x509_bundle_set


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--expect-spiffe-id", default=os.environ.get("EXPECT_SPIFFE_ID", ""))
    parser.add_argument("--audience", default="tessera-interop")
    parser.add_argument("--updates", type=int, default=0)
    parser.add_argument("--timeout", type=float, default=60.0)
    args = parser.parse_args()
    if not os.environ.get("SPIFFE_ENDPOINT_SOCKET"):
        fail("flags", ValueError("SPIFFE_ENDPOINT_SOCKET is not set"))
    client = WorkloadApiClient(default_timeout=args.timeout)
    try:
        check_x509(client, args)
        check_jwt(client, args)
    finally:
        client.close()
    if args.updates > 0:
        watch(args)
    emit(event="done")


if __name__ == "__main__":
    main()
