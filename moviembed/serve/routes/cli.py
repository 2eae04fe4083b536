"""What `moviembed query`, `similar` and `recommend` ask a running service (the CLI's fast path).

Not part of the public API: the body is the command's options by the CLI's names, and the
results come back in the lossless wire form (`search.hits.to_wire`) with the identity of
the index answered from, so the CLI prints exactly what the local index would give.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Body, Path
from fastapi.responses import Response

from moviembed.search.answer import answer
from moviembed.search.hits import results_to_wire
from moviembed.serve.params import Service
from moviembed.serve.registry import index_identity

router = APIRouter(tags=["cli"], include_in_schema=False)


@router.post("/cli/{command}")
def answer_cli(
    service: Service,
    command: Annotated[str, Path()],
    options: Annotated[dict[str, Any], Body()],
) -> Response:
    """`command`'s results, as the CLI would find them in the local index."""
    with service.reading() as index:
        hits = answer(command, options, index)
        generation, model = index.generation, index.model
    content = {
        "index": index_identity(service.settings),
        "generation": generation,
        "model": model,
        **results_to_wire(hits),
    }
    return Response(json.dumps(content, ensure_ascii=False), media_type="application/json")
