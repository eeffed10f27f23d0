"""Verify a JWT-SVID the way an OIDC relying party does, knowing only the issuer's discovery URL.

PyJWT (pinned in test/interop/python/requirements.txt) reads the JWKS named by the discovery
document and checks the signature, `iss`, `aud` and `exp`. Prints one JSON line and exits 0 when
the token verifies, 1 when it does not.

usage: verify_jwt_svid.py DISCOVERY_URL AUDIENCE  (the token on stdin)
"""
import json
import sys
import urllib.request

import jwt


def main() -> int:
    discovery_url, audience = sys.argv[1], sys.argv[2]
    token = sys.stdin.read().strip()
    with urllib.request.urlopen(discovery_url, timeout=10) as response:
        document = json.load(response)
    try:
        key = jwt.PyJWKClient(document["jwks_uri"], cache_keys=False).get_signing_key_from_jwt(token)
        claims = jwt.decode(
            token,
            key.key,
            algorithms=document["id_token_signing_alg_values_supported"],
            audience=audience,
            issuer=document["issuer"],
            options={"require": ["iss", "sub", "aud", "exp"]},
        )
    except jwt.PyJWTError as err:
        print(json.dumps({"event": "refused", "error": type(err).__name__, "message": str(err)}))
        return 1
    print(json.dumps({"event": "verified", "sub": claims["sub"], "iss": claims["iss"], "kid": key.key_id}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
