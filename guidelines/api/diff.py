"""``/api/v1/guidelines/<a>/diff/<b>``: what changed from one guideline to another."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
)
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from guidelines.api.errors import error_response
from guidelines.diff import guideline_diff
from guidelines.selectors import guideline_get

DESCRIPTION = """\
Every change from guideline `a` to guideline `b`, the changelog of a release:

- `summary`: how many changes of each kind, and `total` (0: nothing differs);
- `metadata`: `[{field, from, to}]` for key, schema, status, doc_id, replaces,
  releases, target_approval, cutoff_score, source, reference;
- `criteria`: `added`, `removed`, `changed` (`[{key, changes: [{field, from, to}]}]`);
- `components`: one entry per component (`name`, `from`, `to`: its name in each
  guideline, null where absent) with the capabilities `added`
  (`[{capability, status}]`), `removed` and `moved` between statuses
  (`[{capability, from, to}]`). The 1.x components `compute` and `object` are
  matched with the 2.0 `os_powered_compute` and `os_powered_storage`;
- `capabilities`: `defined`, `undefined`, and `changed` definitions
  (project, admin, description, required_since, achievements);
- `tests`: matched by idempotent id (else by name): `added`, `removed`,
  `renamed` (`{from, to}`), `moved` between capabilities (`{name, from, to}`),
  `aliases_changed`, `idempotent_id_changed`, `flagged` and `unflagged`
  (with the `flag`: date, reason, action), `flag_changed` (`{from, to}`).

Lists are in document order: `b`'s for what `b` has, `a`'s for what only `a` had.
"""

EXAMPLE = {
    "from": {"key": "2018.02", "schema": "2.0", "status": "superseded"},
    "to": {"key": "2020.06", "schema": "2.0", "status": "approved"},
    "summary": {"metadata": 7, "capabilities_removed": 16, "tests_renamed": 3, "total": 126},
    "metadata": [{"field": "status", "from": "superseded", "to": "approved"}],
    "components": [
        {
            "name": "os_powered_compute",
            "from": "os_powered_compute",
            "to": "os_powered_compute",
            "added": [{"capability": "volumes-v3-upload", "status": "required"}],
            "removed": [{"capability": "volumes-v2-list", "status": "required"}],
            "moved": [{"capability": "identity-v3-catalog", "from": "advisory", "to": "required"}],
        }
    ],
}


def _name(param: str, which: str) -> OpenApiParameter:
    return OpenApiParameter(
        param,
        OpenApiTypes.STR,
        OpenApiParameter.PATH,
        description=f"The guideline {which}, e.g. 2020.06 (a .json suffix is accepted)",
    )


class GuidelineDiffView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        tags=["Guidelines"],
        summary="What changed from guideline a to guideline b",
        description=DESCRIPTION,
        parameters=[_name("a", "to compare from"), _name("b", "to compare to")],
        examples=[
            OpenApiExample("2018.02 to 2020.06, abridged", value=EXAMPLE, response_only=True)
        ],
        responses={
            200: OpenApiResponse(OpenApiTypes.OBJECT, description="The changes, as described."),
            404: OpenApiResponse(
                OpenApiTypes.OBJECT, description="No guideline has one of the names given."
            ),
        },
    )
    def get(self, request, a: str, b: str):
        found = {name: guideline_get(name) for name in dict.fromkeys((a, b))}
        missing = [name for name, guideline in found.items() if guideline is None]
        if missing:
            names = " or ".join(repr(name) for name in missing)
            return error_response(
                404,
                "not_found",
                f"No guideline named {names}; /api/v1/catalog/guidelines lists them.",
            )
        return Response(guideline_diff(found[a], found[b]))
