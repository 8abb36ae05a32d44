"""The test suite's settings: the site's own, with a key that is only for tests.

The site refuses to start without SECRET_KEY unless DEBUG is on; the tests run
with DEBUG off, as production does, so they bring a key of their own.
"""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-" + "k3y-" * 16)

from defcore_site.settings import *  # noqa: E402, F403
