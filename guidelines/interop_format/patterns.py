"""The committee's conventions for ids and flags, in one place.

The importer warns with them, the rules checker reports with them, and the
workspace refuses new data that breaks them.
"""

import re

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
# 2017A A2.4: "id-<uuid>" in platform guidelines, a bare uuid in add-ons.
IDEMPOTENT_ID = re.compile(rf"^(id-)?{UUID}$")
# HACKING D309: a flag reason starts with its flag type, [D400] to [D406], then says why.
FLAG_REASON = re.compile(r"^\[D40[0-6]\]\s*\S")
DATE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$")
