"""The OpenAPI document, generated once per process.

Generating it walks every route and serializer (about a third of a second);
it changes only with the code, so a process keeps what it generated. Anyone may
read it, and tooling fetches it often.
"""

from __future__ import annotations

import threading

from drf_spectacular.views import SpectacularAPIView
from rest_framework.response import Response

_generated: dict[tuple, tuple[dict, dict]] = {}
_lock = threading.Lock()


class SchemaView(SpectacularAPIView):
    def _get_schema_response(self, request):
        version = self.api_version or request.version or self._get_version_parameter(request)
        key = (version, request.GET.get("lang"), self.serve_public)
        with _lock:
            found = _generated.get(key)
        if found is None:
            response = super()._get_schema_response(request)
            found = (response.data, dict(response.headers))
            with _lock:
                _generated[key] = found
        data, headers = found
        return Response(data=data, headers=headers)
