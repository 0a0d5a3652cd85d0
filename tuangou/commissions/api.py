from ninja import Router

from tuangou.core.api import AUTH

console_router = Router(tags=["console: commissions"], auth=AUTH)
leader_router = Router(tags=["leader: commissions"], auth=AUTH)
