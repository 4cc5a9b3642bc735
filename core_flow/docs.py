"""``/docs`` that works offline: Swagger UI's assets served by the app itself (the swagger-ui-bundle package), never
from a CDN — court intranets have no internet. Used by every app zhixing serves (the mock agencies, the court driver).
"""

from __future__ import annotations

from typing import Any

ASSETS = "/docs-assets"


def offline_docs(app: Any) -> None:
    """Mount Swagger UI's assets on ``app`` and serve ``/docs`` from them (create the app with ``docs_url=None``)."""
    from fastapi.openapi.docs import get_swagger_ui_html
    from fastapi.staticfiles import StaticFiles
    from swagger_ui_bundle import swagger_ui_path

    app.mount(ASSETS, StaticFiles(directory=str(swagger_ui_path)), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    def docs() -> Any:
        return get_swagger_ui_html(openapi_url=app.openapi_url, title=f"{app.title} — docs",
                                   swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
                                   swagger_css_url=f"{ASSETS}/swagger-ui.css",
                                   swagger_favicon_url=f"{ASSETS}/favicon-32x32.png")
