"""Every write of compliance, each one transaction recorded in the committee's log:

- ``runs``: storing uploaded runs, sharing, linking them to products, verifying them;
- ``keys``: the public keys that sign uploads;
- ``vendors``: vendors, their products and versions.
"""

from compliance.services.keys import SELF_SIGNED, pubkey_delete, pubkey_register
from compliance.services.runs import (
    UnknownKey,
    run_link,
    run_share,
    run_upload,
    run_upload_subunit,
    run_verify,
)
from compliance.services.vendors import (
    invitation_answer,
    product_create,
    product_update,
    vendor_admin_add,
    vendor_create,
    vendor_review,
    vendor_submit,
    version_add,
)

__all__ = [
    "invitation_answer",
    "SELF_SIGNED",
    "UnknownKey",
    "product_create",
    "product_update",
    "pubkey_delete",
    "pubkey_register",
    "run_link",
    "run_share",
    "run_upload",
    "run_upload_subunit",
    "run_verify",
    "vendor_admin_add",
    "vendor_create",
    "vendor_review",
    "vendor_submit",
    "version_add",
]
