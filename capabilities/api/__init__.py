"""The drafting and scoring workspace's API, under ``/api/v1/`` (``urls``).

Thin views over ``capabilities.services`` (writes) and ``capabilities.selectors``
(reads), one module per part of the workspace: ``editing`` (capabilities and
lineage), ``scores`` (scores, consensus, the scoring table), ``criteria``,
``findings``, ``worksheets``. Test flags, the change log and the life cycle
are the guideline's own (``guidelines.api``).
"""
