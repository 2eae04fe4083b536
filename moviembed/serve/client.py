"""Ask a running `moviembed serve` to answer a CLI search, or say why it cannot.

The CLI's fast path: no Chroma, no model, only the standard library's HTTP client. A
service is asked only when its registration names the same index, and its answer counts
only when it says so too (a process id can be reused, a port taken by another service).
Anything else (no service, a refused connection, an error answer) returns None and the
CLI searches the local index as before; `-v` shows which happened.
"""

from __future__ import annotations

import http.client
import json
import logging
from typing import Any
from urllib.parse import quote, urlsplit

from moviembed.config import Settings
from moviembed.embedding.embedder import canonical_model_name
from moviembed.serve.registry import Registration, folder_for, index_identity, services_for

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 30.0  # a service reopening the index after a build holds requests a while


def ask_service(settings: Settings, command: str, options: dict[str, Any]) -> dict[str, Any] | None:
    """The answer to `command` (see `search.answer`; its results in the wire form of
    `search.hits`) from a service on the index `settings` name, or None when none answered."""
    identity = index_identity(settings)
    services = services_for(folder_for(settings), identity)
    if not services:
        log.info("Searching the local index: no running service serves it.")
    for service in services:
        answer = _ask(service, command, options, identity)
        if answer is None:
            continue
        if settings.model and canonical_model_name(settings.model) != answer.get("model"):
            log.info("Searching the local index: it was built with another model than --model.")
            return None  # the local search says so as an error
        return answer
    return None


def _ask(
    service: Registration, command: str, options: dict[str, Any], identity: dict[str, str]
) -> dict[str, Any] | None:
    body = json.dumps(options, default=str).encode()
    headers = {"Content-Type": "application/json"}
    if service.token:
        headers["Authorization"] = f"Bearer {service.token}"
    parts = urlsplit(service.url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=TIMEOUT_SECONDS)
    try:
        connection.request("POST", f"/api/cli/{quote(command)}", body=body, headers=headers)
        response = connection.getresponse()
        answer = json.loads(response.read())
    except (OSError, http.client.HTTPException, ValueError) as exc:
        log.info(
            "Searching the local index: the service at %s did not answer (%s).", service.url, exc
        )
        return None
    finally:
        connection.close()
    if response.status != 200 or not isinstance(answer, dict):
        problem = answer.get("error") if isinstance(answer, dict) else None
        log.info(
            "Searching the local index: the service at %s answered %d (%s).",
            service.url,
            response.status,
            problem,
        )
        return None
    if answer.get("index") != identity:
        log.info("Searching the local index: the service at %s serves another one.", service.url)
        return None
    log.info(
        "Answered by the service at %s (process %d, index generation %s).",
        service.url,
        service.pid,
        answer.get("generation"),
    )
    return answer
