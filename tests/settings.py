"""The test suite's settings: the site's own, with a key that is only for tests.

The site refuses to start without SECRET_KEY unless DEBUG is on; the tests run
with DEBUG off, as production does, so they bring a key of their own.
"""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-" + "k3y-" * 16)

from defcore_site.settings import *  # noqa: E402, F403

# Django's test client calls itself "testserver".
ALLOWED_HOSTS = [*ALLOWED_HOSTS, "testserver"]  # noqa: F405

# The suite sends thousands of requests a minute from one address and reuses
# user ids: counted at the production rates, unrelated tests would meet 429s.
# tests/test_throttling.py sets its own low rates.
REST_FRAMEWORK = {  # noqa: F405
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_THROTTLE_RATES": {
        scope: "100000/min"
        for scope in REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]  # noqa: F405
    },
}
