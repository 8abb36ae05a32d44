"""Compliance: test runs uploaded by refstack-client, and what they show against a guideline.

RefStack's results contract (``/v1/results``, signed uploads, public keys) served
without its faults, and the per-capability compliance report RefStack left to its
browser UI. Beside ``releases`` and ``cycles``; it reads guidelines, never drafts them.
"""
