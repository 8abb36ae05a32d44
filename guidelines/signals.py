"""Signals for the layers above: what happens to a guideline's parts.

Replacing a guideline's document (``guidelines.services.importing``) deletes
its capabilities and tests and stores the new ones. Higher apps that refer to
those rows (review comments, in ``votes``) let go of them before
(``parts_replacing``) and find them again, by name, after (``parts_replaced``),
in the same transaction. A lower app never imports a higher one: it sends.
"""

from django.dispatch import Signal

# Sent with ``guideline``: its capabilities and tests are about to be deleted.
parts_replacing = Signal()
# Sent with ``guideline``: its new capabilities and tests are stored.
parts_replaced = Signal()
