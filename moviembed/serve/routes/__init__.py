"""One APIRouter per area; `app.py` mounts them under `/api`."""
