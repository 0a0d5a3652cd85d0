from ninja import Router

from tuangou.core.api import AUTH

console_router = Router(tags=["console: insights"], auth=AUTH)
