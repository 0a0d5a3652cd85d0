from ninja import Router

from tuangou.core.api import AUTH

console_router = Router(tags=["console: fulfilment"], auth=AUTH)
leader_router = Router(tags=["leader: fulfilment"], auth=AUTH)
